import { randomUUID } from 'node:crypto';
import { AadError } from '../protocol/aad-error.ts';
import { parseScopes } from '../protocol/scopes.ts';
import { authenticateClient, clientServicePrincipalId, requireClientCredential } from '../client-auth/authenticate-client.ts';
import { loadByDeviceCode, POLL_GRACE_MS, saveDeviceAuthorization, takeDeviceAuthorization } from '../sign-in/device-authorization.ts';
import { activeUser, delegatedTokenResponse } from '../tokens/delegated-response.ts';
import { refreshLifetimeOf } from '../tokens/lifetimes.ts';
import { requireConsent } from './consent-check.ts';
import type { GrantContext, TokenResponseBody } from './grant-context.ts';
import { createRefreshTokens } from './refresh-token-store.ts';

/** RFC 8628's grant type; msal-node sends the bare `device_code`, which Entra accepts too. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const MSAL_NODE_DEVICE_CODE_GRANT = 'device_code';

const unknownCode = () =>
  new AadError(70018, "The provided value for the input parameter 'device_code' is not valid. The device code is unknown, was issued to another client, or was already redeemed.", { error: 'bad_verification_code' });

/**
 * Device code polling: authorization_pending (70016) until the user finishes on the verification
 * page, slow_down when polled faster than the interval, expired_token (70019) after 900 s,
 * authorization_declined (70020) when the user cancelled; then tokens, once.
 */
export async function deviceCodeGrant(context: GrantContext): Promise<TokenResponseBody> {
  const { deps, form } = context;
  const client = await authenticateClient(context);
  const deviceCode = form.require('device_code');
  const record = deviceCode.length <= 200 ? await loadByDeviceCode(deps, deviceCode) : undefined;
  if (!record || record.clientId !== client.clientId) throw unknownCode();
  if (context.authority.kind === 'tenant' && record.tenantId !== null && context.authority.tenant.id !== record.tenantId) throw unknownCode();
  const now = deps.clock();
  if (record.expiresAt <= now) throw new AadError(70019, 'Verification code expired. The user did not complete the device code sign-in in time; start a new device code flow.', { error: 'expired_token' });
  if (record.status === 'declined') throw new AadError(70020, 'The end user declined the authorization request on the verification page.', { error: 'authorization_declined' });

  if (record.status === 'pending') {
    const early = record.lastPollAt !== undefined && now - record.lastPollAt < record.interval * 1000 - POLL_GRACE_MS;
    if (early) record.interval += 5;
    record.lastPollAt = now;
    await saveDeviceAuthorization(deps, record);
    if (early) throw new AadError(70016, `The client is polling too fast. Wait at least ${record.interval} seconds between requests.`, { error: 'slow_down' });
    throw new AadError(70016, 'The provided request has not yet been authorized by the user. The user must input their code.', { error: 'authorization_pending' });
  }

  // Approved: check everything before the record is taken, so a refused redemption can be retried.
  const tenantId = record.userTenantId!;
  if (!client.app.isFallbackPublicClient) requireClientCredential(client);
  const clientSpId = clientServicePrincipalId(context, client, tenantId);
  const user = activeUser(deps.directory, tenantId, record.userId!);
  const request = parseScopes(deps.directory, tenantId, record.scope);
  requireConsent(deps.directory, tenantId, client.app, user.id, request);
  if (!(await takeDeviceAuthorization(deps, record))) throw unknownCode();

  const amr = record.amr ?? ['pwd'];
  let refreshToken: string | undefined;
  if (request.oidc.has('offline_access')) {
    const refreshTokens = createRefreshTokens(deps.state, deps.clock, context.options.refreshTokenReuse, refreshLifetimeOf(deps.directory));
    const family = await refreshTokens.startFamily(
      { clientId: client.clientId, tenantId, userId: user.id, scope: record.scope, amr, confidential: client.method !== 'none', spa: false, ...(record.sid ? { sid: record.sid } : {}) },
      randomUUID(),
    );
    refreshToken = family.token;
  }
  return delegatedTokenResponse(deps, {
    tenantId,
    client,
    clientSpId,
    user,
    request,
    amr,
    ...(record.sid ? { sid: record.sid } : {}),
    ...(refreshToken ? { refreshToken } : {}),
  });
}
