import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { EmulatorDeps } from './deps.ts';
import { adminEndpoints } from './endpoints/admin.ts';
import { adminTokenFaultsEndpoint } from './endpoints/admin-token-faults.ts';
import { authorizeEndpoint } from './endpoints/authorize.ts';
import { consentEndpoint } from './endpoints/consent.ts';
import { deviceCodeEndpoint } from './endpoints/devicecode.ts';
import { deviceVerificationEndpoint } from './endpoints/device-verification.ts';
import { discoveryEndpoint } from './endpoints/discovery.ts';
import { errorExplanationEndpoint } from './endpoints/error-page.ts';
import { landingEndpoint } from './endpoints/landing.ts';
import { instanceDiscoveryEndpoint } from './endpoints/instance-discovery.ts';
import { jwksEndpoint } from './endpoints/jwks.ts';
import { loginEndpoint } from './endpoints/login.ts';
import { logoutEndpoint } from './endpoints/logout.ts';
import { tokenEndpoint } from './endpoints/token.ts';
import { userinfoEndpoint } from './endpoints/userinfo.ts';
import { userRealmEndpoint } from './endpoints/user-realm.ts';
import { managedIdentityEndpoints } from './endpoints/managed-identity.ts';
import { graphRoutes } from './graph/routes.ts';
import { AadError, aadErrorBody } from './protocol/aad-error.ts';
import { nodeRequestHeaders } from './node-headers.ts';
import { recordRequests } from './request-log/record-requests.ts';

const MAX_BODY_BYTES = 64 * 1024;

/** The Entra ID emulator as a web-standard app (`app.fetch`); it does not listen. */
export function createEmulatorApp(deps: EmulatorDeps): Hono {
  const app = new Hono();
  const errorJson = (code: ConstructorParameters<typeof AadError>[0], message: string) =>
    aadErrorBody(code, message, { now: deps.clock(), publicUrl: deps.publicUrl });

  app.use(async function injectFaults(c, next) {
    const rule = c.req.path.startsWith('/_admin/') ? undefined : deps.faults.take(c.req.path);
    if (rule?.latencyMs) await new Promise((resolve) => setTimeout(resolve, rule.latencyMs));
    if (rule?.status) {
      if (rule.retryAfterSec !== undefined) c.header('Retry-After', String(rule.retryAfterSec));
      return c.json(errorJson(9001, `Injected fault: HTTP ${rule.status}.`), rule.status as 500);
    }
    await next();
  });
  const streamedBodyLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json(errorJson(90023, `The request body exceeds ${MAX_BODY_BYTES} bytes.`), 413),
  });
  app.use(function limitBody(c, next) {
    // A declared length is checked from Node's own headers: touching the web Request's body or
    // headers here would make @hono/node-server build a full Request for every token call.
    const headers = nodeRequestHeaders(c.env);
    const length = headers ? headers['content-length'] : c.req.header('content-length');
    const chunked = headers ? headers['transfer-encoding'] !== undefined : c.req.header('transfer-encoding') !== undefined;
    if (!chunked && typeof length === 'string') {
      return Number(length) > MAX_BODY_BYTES ? Promise.resolve(c.json(errorJson(90023, `The request body exceeds ${MAX_BODY_BYTES} bytes.`), 413)) : next();
    }
    if (!chunked && (c.req.method === 'GET' || c.req.method === 'HEAD')) return next();
    return streamedBodyLimit(c, next);
  });
  app.use(recordRequests(deps));

  managedIdentityEndpoints(app, deps);
  discoveryEndpoint(app, deps);
  jwksEndpoint(app, deps);
  instanceDiscoveryEndpoint(app, deps);
  userRealmEndpoint(app, deps);
  authorizeEndpoint(app, deps);
  loginEndpoint(app, deps);
  consentEndpoint(app, deps);
  logoutEndpoint(app, deps);
  tokenEndpoint(app, deps);
  deviceCodeEndpoint(app, deps);
  deviceVerificationEndpoint(app, deps);
  userinfoEndpoint(app, deps);
  graphRoutes(app, deps);
  adminEndpoints(app, deps);
  landingEndpoint(app, deps);
  errorExplanationEndpoint(app);
  // After adminEndpoints, whose middleware requires the admin key on every /_admin path.
  adminTokenFaultsEndpoint(app, deps);

  app.notFound((c) => c.json(errorJson(9002313, `No endpoint at ${c.req.method} ${c.req.path.slice(0, 200)}.`), 404));
  app.onError((error, c) => {
    if (error instanceof AadError) {
      const body = aadErrorBody(error.aadsts, error.message, {
        now: deps.clock(),
        publicUrl: deps.publicUrl,
        error: error.error,
        ...(error.suberror ? { suberror: error.suberror } : {}),
        ...(error.claims ? { claims: error.claims } : {}),
      });
      // Entra sends no challenge on 401 invalid_client; RFC 6749 5.2 asks for one only when the
      // client authenticated with HTTP Basic, so that is the one case that gets it.
      if (error.status === 401 && /^basic /i.test(c.req.header('authorization') ?? '')) c.header('WWW-Authenticate', 'Basic realm="entrakit emulator"');
      c.header('Cache-Control', 'no-store');
      return c.json(body, error.status as 400);
    }
    // Reaching here is a bug; the message stays server-side, the body stays Entra-shaped.
    console.error('entrakit emulator: unexpected error', error);
    return c.json(errorJson(9001, 'Unexpected server error.'), 500);
  });
  return app;
}
