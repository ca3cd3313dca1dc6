import type { DirectJsonRoute } from '../http/direct-json-route.ts';

const HEALTHY = JSON.stringify({ status: 'ok' });

/** `GET /health`: unauthenticated liveness, no details about the configuration. */
export const healthRoute: DirectJsonRoute = { path: '/health', requirement: 'public', answer: () => HEALTHY };
