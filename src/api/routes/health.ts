import type { Env, Hono } from 'hono';

/** `GET /health`: unauthenticated liveness, no details about the configuration. */
export function healthRoute<E extends Env>(app: Hono<E>): void {
  app.get('/health', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });
}
