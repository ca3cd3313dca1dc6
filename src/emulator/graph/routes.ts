import type { Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';

// Placeholder: implemented separately.
export function graphRoutes(_app: Hono, _deps: EmulatorDeps): void {}
