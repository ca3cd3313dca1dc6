import { createHash } from 'node:crypto';
import type { EmulatorDeps } from '../deps.ts';
import type { User } from '../directory/types.ts';
import { AadError } from '../protocol/aad-error.ts';
import { parseScopes } from '../protocol/scopes.ts';
import { accessTokenAudience, mintUserAccessToken } from '../tokens/access-token.ts';
import { scopeClaim, scopeEcho } from '../tokens/delegated-response.ts';
import { mintIdToken } from '../tokens/id-token.ts';
import { effectiveLifetimes } from '../tokens/lifetimes.ts';
import type { AuthorizeRequest } from './authorize-request.ts';
import { issueAuthorizationCode } from './issue-code.ts';
import type { SsoSession } from './sso-session.ts';

type ResponseDeps = Pick<EmulatorDeps, 'directory' | 'keys' | 'state' | 'clock' | 'publicUrl'>;

/** OIDC `c_hash`/`at_hash`: the left half of the SHA-256 of the value, base64url. */
export function leftHalfHash(value: string): string {
  const digest = createHash('sha256').update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** The implicit access token: the requested resource and scopes, for a public client (azpacr 0). */
async function implicitAccessToken(deps: ResponseDeps, request: AuthorizeRequest, session: SsoSession, user: User): Promise<Record<string, string>> {
  const found = deps.directory.findApplicationByClientId(request.clientId);
  const sp = deps.directory.findServicePrincipalByAppId(session.tenantId, request.clientId);
  if (!found || !sp) throw new AadError(700016, `Application with identifier '${request.clientId}' was not found in the directory '${session.tenantId}'.`);
  const scopes = parseScopes(deps.directory, session.tenantId, request.scope);
  const scp = scopeClaim(deps.directory, session.tenantId, request.clientId, user.id, scopes);
  const accessToken = await mintUserAccessToken(deps, {
    tenantId: session.tenantId,
    user,
    client: { app: found.app, acr: '0', servicePrincipalId: sp.id },
    resource: scopes.resource,
    audience: accessTokenAudience(scopes),
    scopes: scp,
    amr: session.amr,
    ...(request.acrs?.length ? { acrs: request.acrs } : {}),
    ...(request.capabilities?.length ? { capabilities: request.capabilities } : {}),
    sid: session.sid,
  });
  return { access_token: accessToken, token_type: 'Bearer', expires_in: String(effectiveLifetimes(deps.directory, session.tenantId, request.clientId, scopes.resource.appId).accessTokenS), scope: scopeEcho(scopes, scp) };
}

/**
 * The fields /authorize returns for the request's response_type: `code` (code flow), `id_token`
 * and/or `access_token` (implicit), or a mix (hybrid; the ID token then carries `c_hash` and
 * `at_hash` so the app can tie the code and the access token to it).
 */
export async function frontChannelResponse(deps: ResponseDeps, request: AuthorizeRequest, session: SsoSession, user: User): Promise<Record<string, string>> {
  const fields: Record<string, string> = {};
  const code = request.responseTypes.code ? await issueAuthorizationCode(deps, request, session) : undefined;
  if (code !== undefined) fields['code'] = code;
  if (request.responseTypes.token) Object.assign(fields, await implicitAccessToken(deps, request, session, user));
  if (request.responseTypes.idToken) {
    const app = deps.directory.findApplicationByClientId(request.clientId)?.app;
    if (!app) throw new AadError(700016, `Application with identifier '${request.clientId}' was not found in the directory.`);
    const scopes = new Set(request.scope.toLowerCase().split(' '));
    fields['id_token'] = await mintIdToken(deps, {
      tenantId: session.tenantId,
      user,
      client: app,
      sid: session.sid,
      profile: scopes.has('profile'),
      email: scopes.has('email'),
      amr: session.amr,
      ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
      ...(code !== undefined ? { cHash: leftHalfHash(code) } : {}),
      ...(fields['access_token'] !== undefined ? { atHash: leftHalfHash(fields['access_token']) } : {}),
    });
  }
  return fields;
}
