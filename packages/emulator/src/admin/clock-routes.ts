import type { Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { badAdminRequest, readAdminJson, refuseUnsafeAdminWrite } from './admin-write-guard.ts';

/** At most ten years either way: enough for any expiry a test wants, far from Date's limits. */
const MAX_SHIFT_S = 10 * 365 * 86_400;

/** The clock change a `POST /_admin/clock` body asks for, or why it is refused. */
export function parseClockChange(body: Record<string, unknown>): { advanceMs: number } | { at: number } | { error: string } {
  const keys = Object.keys(body);
  if (keys.length !== 1 || !['advanceSeconds', 'set'].includes(keys[0]!)) return { error: 'give exactly one of "advanceSeconds" (a number) and "set" (an ISO 8601 time)' };
  if ('advanceSeconds' in body) {
    const seconds = body['advanceSeconds'];
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || Math.abs(seconds) > MAX_SHIFT_S) return { error: `"advanceSeconds" must be a number of seconds between -${MAX_SHIFT_S} and ${MAX_SHIFT_S}` };
    return { advanceMs: Math.round(seconds * 1000) };
  }
  const at = typeof body['set'] === 'string' && /^\d{4}-\d\d-\d\dT/.test(body['set']) ? Date.parse(body['set']) : Number.NaN;
  if (!Number.isFinite(at)) return { error: '"set" must be an ISO 8601 time such as 2030-01-01T00:00:00Z' };
  return { at };
}

/**
 * `POST /_admin/clock` moves the emulator's time ({"advanceSeconds": N} or {"set": ISO}),
 * `GET` reads it, `DELETE` returns to real time; each answers {"now": ISO, "adjusted": bool}.
 * Behind the admin key (adminEndpoints' middleware).
 */
export function clockRoutes(app: Hono, deps: Pick<EmulatorDeps, 'time' | 'publicUrl'>): void {
  const answer = () => ({ now: new Date(deps.time.now()).toISOString(), adjusted: deps.time.adjusted });
  app.get('/_admin/clock', (c) => c.json(answer()));
  app.post('/_admin/clock', async (c) => {
    const read = await readAdminJson(c, deps.publicUrl);
    if ('refusal' in read) return c.json(read.refusal.body, read.refusal.status);
    const change = parseClockChange(read.body);
    if ('error' in change) {
      const refusal = badAdminRequest(change.error);
      return c.json(refusal.body, refusal.status);
    }
    if ('advanceMs' in change) deps.time.advance(change.advanceMs);
    else deps.time.set(change.at);
    return c.json(answer());
  });
  app.delete('/_admin/clock', (c) => {
    const unsafe = refuseUnsafeAdminWrite(c, deps.publicUrl);
    // A DELETE has no body, so only the cross-site part of the check applies.
    if (unsafe && unsafe.status !== 415) return c.json(unsafe.body, unsafe.status);
    deps.time.reset();
    return c.json(answer());
  });
}
