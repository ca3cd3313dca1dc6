import type { Hono } from 'hono';
import { authorizationCodeGrant } from '../grants/authorization-code.ts';
import { clientCredentialsGrant } from '../grants/client-credentials.ts';
import { DEVICE_CODE_GRANT, deviceCodeGrant, MSAL_NODE_DEVICE_CODE_GRANT } from '../grants/device-code.ts';
import type { GrantHandler, TokenDeps } from '../grants/grant-context.ts';
import { JWT_BEARER_GRANT, onBehalfOfGrant } from '../grants/on-behalf-of.ts';
import { refreshTokenGrant } from '../grants/refresh-token.ts';
import { passwordGrant } from '../grants/password.ts';
import { AadError } from '../protocol/aad-error.ts';
import { resolveAuthority } from '../protocol/tenant.ts';
import { parseTokenForm } from '../grants/token-form.ts';
import type { EmulatorDeps } from '../deps.ts';
import { corsAuthority, tokenCors } from './cors.ts';

const GRANTS = new Map<string, GrantHandler>([
  ['authorization_code', authorizationCodeGrant],
  ['refresh_token', refreshTokenGrant],
  ['client_credentials', clientCredentialsGrant],
  [JWT_BEARER_GRANT, onBehalfOfGrant],
  ['password', passwordGrant],
  [DEVICE_CODE_GRANT, deviceCodeGrant],
  [MSAL_NODE_DEVICE_CODE_GRANT, deviceCodeGrant],
]);

/** POST `/{tenant}/oauth2/v2.0/token` (form-encoded): authorization_code, refresh_token, client_credentials, OBO, device code, password. */
export function tokenEndpoint(app: Hono, deps: TokenDeps & Pick<EmulatorDeps, 'switches'>): void {
  const options = deps.switches;
  // Browsers preflight SPA redemptions (form POST with MSAL's x-client-* headers).
  app.options('/:tenant/oauth2/v2.0/token', (c) => {
    tokenCors(c, deps.directory, corsAuthority(deps.directory, c.req.param('tenant')), true);
    return c.body(null, 204);
  });
  app.post('/:tenant/oauth2/v2.0/token', async function token(c) {
    // Set first, so error bodies (rendered by app.onError on this context) carry them too.
    c.header('Cache-Control', 'no-store');
    c.header('Pragma', 'no-cache');
    const known = corsAuthority(deps.directory, c.req.param('tenant'));
    tokenCors(c, deps.directory, known, false);
    // Resolved again only when unknown, to throw Entra's error for that segment.
    const authority = known ?? resolveAuthority(deps.directory, c.req.param('tenant'));
    const origin = c.req.header('origin');
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
      origin,
    });
    // Tokens are readable only from the SPA origins of the app they were issued to (errors from
    // any SPA origin of the authority, so a misconfigured app can read why it failed).
    // Without an Origin header the first call already set the answer (Vary, no allowed origin).
    if (origin !== undefined) tokenCors(c, deps.directory, authority, false, form.get('client_id') ?? '');
    return c.json(body);
  });
}
