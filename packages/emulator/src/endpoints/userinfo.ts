import type { Context, Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { createGraphAuthenticator } from '../graph/authenticate.ts';
import { createGraphApp, requireGraphToken, type GraphEnv } from '../graph/graph-app.ts';
import { GraphError, INSUFFICIENT_PRIVILEGES, resourceNotFound } from '../graph/graph-error.ts';
import { pairwiseSubject } from '../tokens/identifiers.ts';

/**
 * OIDC userinfo (Entra serves it from Graph, so it takes a Graph token carrying `openid`).
 * `sub` is the same pairwise value as in the client's ID token; profile and email claims follow
 * the `profile` and `email` scopes.
 */
export function userinfoEndpoint(app: Hono, deps: Pick<EmulatorDeps, 'directory' | 'keys' | 'clock' | 'publicUrl'>): void {
  const oidc = createGraphApp(deps);
  const authenticate = requireGraphToken(createGraphAuthenticator(deps));

  const userinfo = (c: Context<GraphEnv>) => {
    const caller = c.get('caller');
    if (caller.kind !== 'delegated' || !caller.permissions.has('openid')) throw new GraphError(403, 'Authorization_RequestDenied', INSUFFICIENT_PRIVILEGES);
    const stored = deps.directory.objects.get('user', caller.objectId.toLowerCase());
    if (stored?.tenantId !== caller.tenantId) throw resourceNotFound(caller.objectId);
    const user = stored.value;
    const claims: Record<string, string> = { sub: pairwiseSubject(caller.tenantId, user.id, caller.clientId) };
    if (caller.permissions.has('profile')) {
      claims['name'] = user.displayName;
      if (user.surname) claims['family_name'] = user.surname;
      if (user.givenName) claims['given_name'] = user.givenName;
    }
    if (caller.permissions.has('email') && user.mail) claims['email'] = user.mail;
    return c.json(claims);
  };
  oidc.get('/userinfo', authenticate, userinfo);
  oidc.post('/userinfo', authenticate, userinfo);
  app.route('/oidc', oidc);
}
