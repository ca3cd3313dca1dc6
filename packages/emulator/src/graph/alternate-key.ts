import type { MiddlewareHandler } from 'hono';
import type { Directory } from '../directory/directory.ts';
import { GUID } from 'entrakit/internal';
import { withVerifiedCaller, type GraphEnv } from './graph-app.ts';
import { resourceNotFound } from './graph-error.ts';

/** `/applications(appId='…')` and `/servicePrincipals(appId='…')`: Graph's alternate key. */
const ALTERNATE_KEY = /^(.*\/(applications|servicePrincipals))\((?:appId=)?'([^']{1,64})'\)(\/.*)?$/i;

/**
 * Rewrites an alternate-key path to the object id and re-enters the emulator with the same method,
 * headers and body, so every route (and its checks) serves both spellings.
 */
export function alternateKeyPaths(directory: Directory, dispatch: (request: Request) => Promise<Response>): MiddlewareHandler<GraphEnv> {
  return async function alternateKey(c, next) {
    const url = new URL(c.req.url);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return next();
    }
    const match = ALTERNATE_KEY.exec(path);
    if (!match?.[1] || !match[2] || !match[3]) return next();
    const appId = match[3].toLowerCase();
    const caller = c.get('caller');
    const type = match[2].toLowerCase() === 'applications' ? 'application' : 'servicePrincipal';
    const found = GUID.test(appId) ? directory.objects.findByLookup(type, caller.tenantId, appId) : undefined;
    if (!found) throw resourceNotFound(`appId=${appId}`);
    url.pathname = `${match[1]}/${found.id}${match[4] ?? ''}`;
    const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? undefined : await c.req.arrayBuffer();
    return dispatch(withVerifiedCaller(new Request(url, { method: c.req.method, headers: c.req.raw.headers, ...(body ? { body } : {}) }), caller));
  };
}
