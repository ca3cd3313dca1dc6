import type { Hono } from 'hono';
import { authorizationCodeGrant } from '../grants/authorization-code.ts';
import { clientCredentialsGrant } from '../grants/client-credentials.ts';
import { DEVICE_CODE_GRANT, deviceCodeGrant, MSAL_NODE_DEVICE_CODE_GRANT } from '../grants/device-code.ts';
import type { GrantHandler, TokenDeps, TokenEndpointOptions } from '../grants/grant-context.ts';
import { JWT_BEARER_GRANT, onBehalfOfGrant } from '../grants/on-behalf-of.ts';
import { refreshTokenGrant } from '../grants/refresh-token.ts';
import { AadError } from '../protocol/aad-error.ts';
import { resolveAuthority } from '../protocol/tenant.ts';
import { parseTokenForm } from '../grants/token-form.ts';

const GRANTS = new Map<string, GrantHandler>([
  ['authorization_code', authorizationCodeGrant],
  ['refresh_token', refreshTokenGrant],
  ['client_credentials', clientCredentialsGrant],
  [JWT_BEARER_GRANT, onBehalfOfGrant],
  [DEVICE_CODE_GRANT, deviceCodeGrant],
  [MSAL_NODE_DEVICE_CODE_GRANT, deviceCodeGrant],
]);

function choice<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new TypeError(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

/**
 * Reads the token endpoint's behaviour switches (checked once, at creation):
 * - ENTRAKIT_EMULATOR_REFRESH_REUSE = revoke-family (default, RFC 9700) | allow (Entra's behaviour)
 * - ENTRAKIT_EMULATOR_ASSERTION_REPLAY = allow (default, as Entra: the same assertion may be re-sent
 *   until it expires — msal-node caches and re-sends its certificate assertion — but a jti reused in a
 *   different assertion is refused) | reject (a client assertion's jti is strictly single use)
 *   | allow (MSAL re-sends one certificate assertion for ~10 minutes; Entra accepts that)
 */
export function tokenEndpointOptions(env: Record<string, string | undefined> = process.env): TokenEndpointOptions {
  return {
    refreshTokenReuse: choice('ENTRAKIT_EMULATOR_REFRESH_REUSE', env['ENTRAKIT_EMULATOR_REFRESH_REUSE'], ['revoke-family', 'allow'], 'revoke-family'),
    assertionReplay: choice('ENTRAKIT_EMULATOR_ASSERTION_REPLAY', env['ENTRAKIT_EMULATOR_ASSERTION_REPLAY'], ['reject', 'allow'], 'allow'),
  };
}

/** POST `/{tenant}/oauth2/v2.0/token` (form-encoded): authorization_code, refresh_token, client_credentials, OBO. */
export function tokenEndpoint(app: Hono, deps: TokenDeps): void {
  const options = tokenEndpointOptions();
  app.post('/:tenant/oauth2/v2.0/token', async function token(c) {
    // Set first, so error bodies (rendered by app.onError on this context) carry them too.
    c.header('Cache-Control', 'no-store');
    c.header('Pragma', 'no-cache');
    const authority = resolveAuthority(deps.directory, c.req.param('tenant'));
    const form = parseTokenForm(c.req.header('content-type'), await c.req.text());
    const grantType = form.require('grant_type');
    const grant = GRANTS.get(grantType);
    if (!grant) throw new AadError(70003, `The app requested an unsupported grant type '${grantType.slice(0, 100)}'.`);
    const body = await grant({
      deps,
      form,
      authorization: c.req.header('authorization'),
      authority,
      tokenEndpoint: `${deps.publicUrl}/${authority.segment}/oauth2/v2.0/token`,
      options,
    });
    return c.json(body);
  });
}
