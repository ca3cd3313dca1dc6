import type { Hono } from 'hono';
import { isEntrakitError } from 'entrakit';
import { decodeToken, explainClaims } from 'entrakit';
import { userAccessToken } from '../auth/user-tokens.ts';
import type { AppEnv, WebDeps } from '../context.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { render } from '../views/render.ts';
import { tokensPage } from '../views/tokens-page.ts';
import type { TokensView } from '../views/tokens-page.ts';

const GRAPH_AUDIENCES = new Set(['https://graph.microsoft.com', 'https://graph.microsoft.com/', '00000003-0000-0000-c000-000000000000']);
const GRAPH_SCOPES = ['User.Read'];

/** GET /tokens: the ID token (from the session) and the Graph access token (from the cache), decoded and explained. */
export function tokensRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/tokens', requireSignIn(), async function showTokens(c) {
    const session = c.get('session')!;
    const { idToken } = session.data;
    let accessToken: TokensView['accessToken'];
    try {
      const result = await userAccessToken(deps, session, GRAPH_SCOPES);
      // Decoded here, on the server; only the claims reach the page.
      const decoded = decodeToken(result.accessToken, { maxTokenBytes: 65_536 });
      accessToken = {
        header: decoded.header,
        claims: explainClaims(decoded.payload),
        scopes: result.scopes,
        forGraph: GRAPH_AUDIENCES.has(String(decoded.payload['aud'])) || 'nonce' in decoded.header,
      };
    } catch (error) {
      // Sign-in again, or a store outage (503): not something to show as "token unavailable".
      if (isEntrakitError(error, 'INTERACTION_REQUIRED') || isEntrakitError(error, 'STORE_UNAVAILABLE') || isEntrakitError(error, 'STORE_LOCK_TIMEOUT')) throw error;
      if (isEntrakitError(error, 'TOKEN_MALFORMED')) {
        accessToken = { error: 'The access token is not a JWT (opaque tokens are normal for some resources): there is nothing to decode.' };
      } else {
        deps.logger.warn({ event: 'tokens.access-token-failed', errorCode: isEntrakitError(error) ? error.code : 'unexpected' }, 'access token unavailable');
        accessToken = { error: 'The access token could not be obtained right now (see the server log).' };
      }
    }
    return render(
      c,
      'Tokens',
      'tokens',
      tokensPage({
        now: deps.clock(),
        idToken: { header: idToken.header, claims: explainClaims(idToken.claims), checks: idToken.checks },
        accessToken,
      }),
    );
  });
}
