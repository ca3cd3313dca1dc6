import type { Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { resolveAuthority, v2Issuer } from '../protocol/tenant.ts';
import { allowAnyOrigin } from './cors.ts';

/** `/{tenant}/discovery/v2.0/keys` (and v1 `/discovery/keys`): the signing keys with `x5t` and `x5c`. */
export function jwksEndpoint(app: Hono, deps: Pick<EmulatorDeps, 'directory' | 'keys' | 'publicUrl'>): void {
  const handler = (tenantSegment: string | undefined) => {
    const authority = tenantSegment ? resolveAuthority(deps.directory, tenantSegment) : undefined;
    const issuer = v2Issuer(deps.publicUrl, authority?.kind === 'tenant' ? authority.tenant.id : '{tenantid}');
    return { keys: deps.keys.jwks(authority?.kind === 'tenant' ? authority.tenant.id : undefined).keys.map((k) => ({ ...k, issuer })) };
  };
  app.get('/:tenant/discovery/v2.0/keys', (c) => {
    c.header('Cache-Control', 'max-age=86400, private');
    allowAnyOrigin(c);
    return c.json(handler(c.req.param('tenant')));
  });
  app.get('/:tenant/discovery/keys', (c) => {
    allowAnyOrigin(c);
    return c.json(handler(c.req.param('tenant')));
  });
  app.get('/discovery/keys', (c) => {
    allowAnyOrigin(c);
    return c.json(handler(undefined));
  });
}
