import type { Hono } from 'hono';
import { isEntrakitError } from 'entrakit';
import { decodeToken, explainClaims, tokenKind } from 'entrakit';
import { apiAccess, userToken } from '../auth/tokens.ts';
import type { AppEnv, WebDeps } from '../context.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { render } from '../views/render.ts';
import { tokensPage } from '../views/tokens-page.ts';
import type { AccessTokenView } from '../views/tokens-page.ts';

const GRAPH_SCOPES = ['User.Read'];

/** Decoded here, on the server; only the claims reach the page. */
function decoded(token: string, scopes: string[]): AccessTokenView {
  const { header, payload } = decodeToken(token, { maxTokenBytes: 65_536 });
  const kind = tokenKind(header, payload);
  return { header, raw: payload, claims: explainClaims(payload), scopes, forGraph: kind.graph, kind: kind.label };
}

/**
 * GET /tokens: every token of the session, decoded and compared: the ID token (from the session),
 * the Graph and API access tokens (from the encrypted cache), the Storage token the API obtained
 * On-Behalf-Of (its claims, as the API reports them) and the refresh token's metadata.
 */
export function tokensRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/tokens', requireSignIn(), async function showTokens(c) {
    const session = c.get('session')!;
    const { idToken } = session.data;
    let accessToken: AccessTokenView | { error: string };
    try {
      const result = await userToken(deps, c, session, GRAPH_SCOPES);
      accessToken = decoded(result.accessToken, result.scopes);
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

    let apiToken: AccessTokenView | { error: string; consentHref?: string };
    let storageToken: { claims: Record<string, unknown> } | { error: string };
    const access = await apiAccess(deps, c, session, '/tokens');
    if (access.kind === 'token') {
      apiToken = decoded(access.result.accessToken, access.result.scopes);
      storageToken = await storageTokenClaims(deps, access.result.accessToken);
    } else if (access.kind === 'consent') {
      apiToken = { error: 'You have not consented to the entrakit API yet, so there is no API token.', consentHref: access.redirect };
      storageToken = { error: 'The API obtains it On-Behalf-Of your API token: consent to the API first.' };
    } else {
      apiToken = { error: access.message };
      storageToken = { error: access.message };
    }

    const idHeader = idToken.header;
    return render(
      c,
      'Tokens',
      'tokens',
      tokensPage({
        now: deps.clock(),
        idToken: { header: idHeader, claims: explainClaims(idToken.claims), checks: idToken.checks, kind: tokenKind(idHeader, idToken.claims).label, raw: idToken.claims },
        accessToken,
        apiToken,
        storageToken: 'claims' in storageToken ? { claims: explainClaims(storageToken.claims), raw: storageToken.claims, kind: tokenKind({}, storageToken.claims).label } : storageToken,
        refreshTokens: (await deps.entra.cachedTokens(c)).refreshTokens,
      }),
    );
  });
}

/** Asks the API for a Story call and keeps only the Storage token's decoded claims it reports. */
async function storageTokenClaims(deps: WebDeps, apiToken: string): Promise<{ claims: Record<string, unknown> } | { error: string }> {
  try {
    const response = await deps.fetch(`${deps.config.apiUrl}/api/story`, { headers: { authorization: `Bearer ${apiToken}`, accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
    const body = (await response.json().catch(() => undefined)) as { storageTokenClaims?: unknown } | undefined;
    const claims = body?.storageTokenClaims;
    if (typeof claims === 'object' && claims !== null && !Array.isArray(claims)) return { claims: claims as Record<string, unknown> };
    return { error: `The API answered HTTP ${response.status} without the Storage token's claims.` };
  } catch {
    return { error: `The API at ${deps.config.apiUrl} could not be reached.` };
  }
}
