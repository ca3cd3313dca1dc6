import type { Hono } from 'hono';
import type { BearerEnv } from 'entrakit/bearer/hono';

/** `GET /health`: unauthenticated liveness, no details about the configuration. */
export function healthRoute(app: Hono<BearerEnv>): void {
  app.get('/health', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });
}
