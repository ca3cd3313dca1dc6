import type { Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { aadErrorBody } from '../protocol/aad-error.ts';
import { allowAnyOrigin } from './cors.ts';

/**
 * MSAL instance discovery (`/common/discovery/instance`). Clients normally skip it for custom
 * hosts (knownAuthorities / instance_discovery=False); answering it keeps those that do not working.
 */
export function instanceDiscoveryEndpoint(app: Hono, deps: Pick<EmulatorDeps, 'publicUrl' | 'clock'>): void {
  app.get('/:tenant/discovery/instance', (c) => {
    allowAnyOrigin(c);
    const host = new URL(deps.publicUrl).host;
    const endpoint = c.req.query('authorization_endpoint');
    let requestedHost: string | undefined;
    try {
      requestedHost = endpoint ? new URL(endpoint).host : host;
    } catch {
      requestedHost = undefined;
    }
    if (requestedHost !== host) {
      return c.json(
        { ...aadErrorBody(50049, 'Unknown or invalid instance.', { now: deps.clock(), publicUrl: deps.publicUrl, error: 'invalid_instance' }) },
        400,
      );
    }
    const tenant = endpoint ? (new URL(endpoint).pathname.split('/')[1] ?? 'common') : 'common';
    return c.json({
      tenant_discovery_endpoint: `${deps.publicUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });
}
