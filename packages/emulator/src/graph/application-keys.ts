import { X509Certificate } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { Application } from '../directory/types.ts';
import { syncServicePrincipal } from '../directory/registration.ts';
import { applyApplicationProperties } from './application-input.ts';
import { keyCredentialJson } from './application-shape.ts';
import { findApplication } from './applications.ts';
import type { GraphEnv, GraphRouteContext } from './graph-app.ts';
import { GraphError } from './graph-error.ts';
import { contextUrl } from './odata-response.ts';
import { readJsonObject, unknownProperty } from './request-body.ts';
import { requireApplicationWrite } from './write-permissions.ts';

/** The audience Graph requires in an addKey/removeKey proof (the legacy directory service). */
const PROOF_AUDIENCE = '00000002-0000-0000-c000-000000000000';
const MAX_PROOF_LIFETIME_S = 600;

function invalidProof(): GraphError {
  return new GraphError(400, 'Request_BadRequest', 'Invalid proof of possession: sign it with a current certificate of the application (aud 00000002-0000-0000-c000-000000000000, iss the application object id, at most 10 minutes).');
}

/**
 * addKey/removeKey need a proof signed by one of the app's current certificates, so an app can
 * roll its own certificates with no directory permission at all, as in Entra.
 */
async function verifyProof(app: Application, proof: unknown, now: number): Promise<void> {
  if (typeof proof !== 'string' || proof.length > 16_384) throw invalidProof();
  for (const credential of app.keyCredentials) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(Buffer.from(credential.key, 'base64'));
    } catch {
      continue;
    }
    if (Date.parse(certificate.validTo) < now) continue;
    try {
      const { payload } = await jwtVerify(proof, certificate.publicKey, {
        algorithms: ['RS256', 'PS256'],
        audience: PROOF_AUDIENCE,
        issuer: app.id,
        currentDate: new Date(now),
        requiredClaims: ['nbf', 'exp'],
      });
      if ((payload.exp ?? 0) - (payload.nbf ?? 0) > MAX_PROOF_LIFETIME_S) throw invalidProof();
      return;
    } catch (error) {
      if (error instanceof GraphError) throw error;
      if (!(error instanceof joseErrors.JOSEError)) throw error;
    }
  }
  throw invalidProof();
}

export function applicationKeysRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext): void {
  const { directory, responder, clock } = context;

  // The app itself (app-only token of that app) or an application administrator.
  const authorize = (c: Context<GraphEnv>, app: Application) => {
    const caller = c.get('caller');
    if (caller.kind === 'app' && caller.clientId.toLowerCase() === app.appId) return;
    requireApplicationWrite(directory, caller);
  };
  const save = (tenantId: string, app: Application) => {
    directory.objects.update('application', app.appId, app);
    syncServicePrincipal(directory, tenantId, app);
  };

  graph.post('/applications/:id/addKey', async (c) => {
    const caller = c.get('caller');
    const app = findApplication(directory, caller.tenantId, c.req.param('id'));
    authorize(c, app);
    const body = await readJsonObject(c);
    for (const key of Object.keys(body)) if (!['keyCredential', 'passwordCredential', 'proof'].includes(key)) throw unknownProperty(key);
    if (body['passwordCredential'] != null) throw new GraphError(400, 'Request_BadRequest', 'addKey adds certificates only; use addPassword for secrets.');
    await verifyProof(app, body['proof'], clock());
    const updated = applyApplicationProperties(app, { keyCredentials: [...app.keyCredentials.map((k) => ({ keyId: k.keyId })), body['keyCredential']] });
    const added = updated.keyCredentials.at(-1)!;
    if (app.keyCredentials.some((k) => k.keyId === added.keyId)) throw new GraphError(400, 'Request_BadRequest', 'A key with this keyId already exists.');
    save(caller.tenantId, updated);
    return c.json({ '@odata.context': contextUrl(responder, 'microsoft.graph.keyCredential'), ...keyCredentialJson(added) }, 200);
  });

  graph.post('/applications/:id/removeKey', async (c) => {
    const caller = c.get('caller');
    const app = findApplication(directory, caller.tenantId, c.req.param('id'));
    authorize(c, app);
    const body = await readJsonObject(c);
    for (const key of Object.keys(body)) if (!['keyId', 'proof'].includes(key)) throw unknownProperty(key);
    const keyId = typeof body['keyId'] === 'string' ? body['keyId'].toLowerCase() : '';
    if (!app.keyCredentials.some((k) => k.keyId === keyId)) throw new GraphError(400, 'Request_BadRequest', `No key credential with keyId '${keyId.slice(0, 64)}' exists on the application.`);
    await verifyProof(app, body['proof'], clock());
    save(caller.tenantId, { ...structuredClone(app), keyCredentials: app.keyCredentials.filter((k) => k.keyId !== keyId) });
    return c.body(null, 204);
  });
}
