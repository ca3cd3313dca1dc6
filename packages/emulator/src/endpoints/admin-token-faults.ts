import type { Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { parseTokenFaultRule } from '../token-faults.ts';

/**
 * Test-only ID-token faults, under /_admin (so behind the admin key checked by adminEndpoints):
 * POST adds one for a client's next ID tokens, GET lists them, DELETE removes all.
 */
export function adminTokenFaultsEndpoint(app: Hono, deps: Pick<EmulatorDeps, 'tokenFaults'>): void {
  app.get('/_admin/token-faults', (c) => c.json({ tokenFaults: deps.tokenFaults.list() }));
  app.post('/_admin/token-faults', async (c) => {
    let rule;
    try {
      rule = parseTokenFaultRule(await c.req.json());
    } catch (error) {
      return c.json({ error: 'invalid_request', error_description: error instanceof Error ? error.message : 'invalid JSON' }, 400);
    }
    deps.tokenFaults.add(rule);
    return c.json({ tokenFaults: deps.tokenFaults.list() }, 201);
  });
  app.delete('/_admin/token-faults', (c) => {
    deps.tokenFaults.clear();
    return c.body(null, 204);
  });
}
