import { randomUUID } from 'node:crypto';
import { sha256Base64Url, timingSafeStringEqual } from 'entrakit/internal';
import { AadError } from '../protocol/aad-error.ts';
import { codeKey, redeemedCodeKey, type AuthorizationCodeRecord } from '../protocol/authorization-code.ts';
import { parseScopes } from '../protocol/scopes.ts';
import { authenticateClient, clientServicePrincipalId, isPublicClientRedirect, publicClientCredential, requireClientCredential } from '../client-auth/authenticate-client.ts';
import { requireConsent } from './consent-check.ts';
import { activeUser, delegatedTokenResponse } from '../tokens/delegated-response.ts';
import { effectiveLifetimes, refreshLifetimeOf } from '../tokens/lifetimes.ts';
import { createRefreshTokens } from './refresh-token-store.ts';
import type { GrantContext, TokenResponseBody } from './grant-context.ts';
import { checkRedemptionOrigin } from './cross-origin.ts';
import { credentialStamp } from './credential-stamp.ts';
import { redirectPlatform } from '../protocol/redirect-uris.ts';
import { grantClaims } from './step-up-claims.ts';

/** How long a redeemed code is remembered, so a replay answers 54005 (and revokes) instead of "unknown". */
const REDEEMED_MEMORY_MS = 24 * 3600_000;
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

function parseRecord(raw: string): AuthorizationCodeRecord | undefined {
  try {
    const r = JSON.parse(raw) as AuthorizationCodeRecord;
    const strings = [r.clientId, r.redirectUri, r.tenantId, r.userId, r.scope, r.codeChallenge, r.sid];
    if (strings.some((s) => typeof s !== 'string') || typeof r.issuedAt !== 'number' || !Array.isArray(r.amr)) return undefined;
    return r;
  } catch {
    return undefined;
  }
}

const pkceMismatch = (): AadError =>
  new AadError(501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');

/**
 * PKCE (S256 only, no downgrade): a code issued with a challenge needs the matching verifier. A
 * code issued without one (only confidential web clients may skip PKCE) must not come with one.
 */
function checkPkce(record: AuthorizationCodeRecord, verifier: string | undefined): void {
  if (record.codeChallenge === '') {
    if (verifier !== undefined) throw pkceMismatch();
    return;
  }
  if (verifier === undefined || !VERIFIER.test(verifier) || record.codeChallengeMethod !== 'S256') throw pkceMismatch();
  if (!timingSafeStringEqual(sha256Base64Url(verifier), record.codeChallenge)) throw pkceMismatch();
}

/**
 * authorization_code: the code is single use; a replay answers 54005 and revokes the refresh
 * tokens the first redemption produced. Client credentials are checked before the code is taken,
 * every other check after, so a failed redemption still burns the code.
 */
export async function authorizationCodeGrant(context: GrantContext): Promise<TokenResponseBody> {
  const { deps, form } = context;
  const client = await authenticateClient(context);
  const code = form.require('code');
  const refreshTokens = createRefreshTokens(deps.state, deps.clock, context.options.refreshTokenReuse, refreshLifetimeOf(deps.directory));

  const raw = await deps.state.take(codeKey(code));
  if (raw === undefined) {
    const family = await deps.state.get(redeemedCodeKey(code));
    if (family === undefined) throw new AadError(9002313, 'Invalid request. The authorization code is malformed or unknown.', { error: 'invalid_grant' });
    await refreshTokens.revokeFamily(family);
    throw new AadError(54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.');
  }
  // Remember the family before anything else, so a replay racing this redemption still revokes it.
  const familyId = randomUUID();
  await deps.state.set(redeemedCodeKey(code), familyId, REDEEMED_MEMORY_MS);
  const record = parseRecord(raw);
  if (!record) throw new AadError(9002313, 'Invalid request. The authorization code is malformed or unknown.', { error: 'invalid_grant' });
  if (record.issuedAt + effectiveLifetimes(deps.directory, record.tenantId, record.clientId).codeMs <= deps.clock()) {
    throw new AadError(70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
  }
  if (record.clientId !== client.clientId) throw new AadError(70000, 'The provided grant is invalid: the authorization code was issued to a different client.');
  if (context.authority.kind === 'tenant' && context.authority.tenant.id !== record.tenantId) {
    throw new AadError(70000, 'The provided grant is invalid: the authorization code was issued for a different tenant.');
  }
  const redirectUri = form.require('redirect_uri');
  if (redirectUri !== record.redirectUri) {
    throw new AadError(500112, `The reply address '${redirectUri.slice(0, 200)}' does not match the reply address '${record.redirectUri}' provided when requesting Authorization code.`);
  }
  checkPkce(record, form.get('code_verifier'));
  const spa = redirectPlatform(client.app, record.redirectUri) === 'spa';
  checkRedemptionOrigin(spa, context.origin);
  // The redirect URI's platform decides: public clients must not send a credential (700025),
  // confidential ones must (7000218), with or without PKCE.
  if (isPublicClientRedirect(client.app, record.redirectUri)) {
    if (client.method !== 'none') throw publicClientCredential();
  } else {
    requireClientCredential(client);
  }
  const clientSpId = clientServicePrincipalId(context, client, record.tenantId);
  const user = activeUser(deps.directory, record.tenantId, record.userId);

  // Entra lets the redemption name the resource (`scope`); without it the authorize scopes apply.
  const scope = form.get('scope') ?? record.scope;
  const request = parseScopes(deps.directory, record.tenantId, scope);
  requireConsent(deps.directory, record.tenantId, client.app, user.id, request);
  const claims = grantClaims(deps.directory, record.tenantId, record, form.get('claims'), record.amr, request.resource.appId);

  let refreshToken: string | undefined;
  const offline = request.oidc.has('offline_access') && parseScopes(deps.directory, record.tenantId, record.scope).oidc.has('offline_access');
  if (offline) {
    const family = await refreshTokens.startFamily({
      clientId: client.clientId,
      tenantId: record.tenantId,
      userId: user.id,
      scope,
      sid: record.sid,
      amr: record.amr,
      acrs: claims.acrs,
      capabilities: claims.capabilities,
      confidential: client.method !== 'none',
      spa,
      credentialStamp: credentialStamp(deps.directory, user.id),
    }, familyId);
    refreshToken = family.token;
  }
  return delegatedTokenResponse(deps, {
    tenantId: record.tenantId,
    client,
    clientSpId,
    user,
    request,
    amr: record.amr,
    acrs: claims.acrs,
    capabilities: claims.capabilities,
    sid: record.sid,
    ...(record.nonce ? { nonce: record.nonce } : {}),
    ...(refreshToken ? { refreshToken } : {}),
  });
}
