import { CryptoProvider } from '@azure/msal-node';
import type { Hono } from 'hono';
import { safeReturnTo } from 'entrakit/web';
import { Buffer } from 'node:buffer';
import { validClaimsRequest } from 'entrakit/web';
import { beginTransaction, randomToken } from '../auth/sign-in-transaction.ts';
import type { AppEnv, WebDeps } from '../context.ts';
import { signInCorrelationId } from '../idp/correlation.ts';
import { signInStartSteps } from '../trace/sign-in-steps.ts';

/** Graph's User.Read for the profile page, plus email for the ID token; MSAL adds openid profile offline_access. */
export const SIGN_IN_SCOPES = ['User.Read', 'email'];

const pkce = new CryptoProvider();

/**
 * GET /auth/sign-in?returnTo=/path[&consent=api]: starts the Authorization Code flow with PKCE
 * (S256), state and nonce, remembers them for this browser only, and redirects to /authorize.
 */
export function signInRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/auth/sign-in', async function startSignIn(c) {
    const returnTo = safeReturnTo(c.req.query('returnTo'));
    const consentToApi = c.req.query('consent') === 'api' && deps.config.apiScope !== undefined;
    const scopes = consentToApi ? [deps.config.apiScope as string, 'email'] : SIGN_IN_SCOPES;
    // From a claims challenge (base64url of the claims request): only a well-formed one is forwarded.
    const sentClaims = c.req.query('claims');
    const claims = sentClaims && sentClaims.length <= 4096 ? validClaimsRequest(Buffer.from(sentClaims, 'base64url').toString('utf8')) : undefined;
    const state = randomToken();
    const nonce = randomToken();
    const { verifier, challenge } = await pkce.generatePkceCodes();

    const { client } = await deps.msal.forSignIn();
    const authorizeUrl = await client.getAuthCodeUrl({
      scopes,
      redirectUri: deps.config.redirectUri,
      state,
      nonce,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      responseMode: 'query',
      // Our own id as client-request-id, so the identity provider's log can be matched to this sign-in.
      correlationId: signInCorrelationId(state),
      ...(claims ? { claims } : {}),
    });

    const now = deps.clock();
    const authorizePath = new URL(authorizeUrl).pathname;
    const steps = signInStartSteps({ now, returnTo, authorizeUrl, authorizePath, verifier });

    await beginTransaction(c, deps, { state, nonce, verifier, returnTo, scopes, createdAt: now, steps: JSON.stringify(steps), ...(claims ? { claims } : {}) });
    deps.logger.info({ event: 'sign-in.start', returnTo, scopes }, 'sign-in started');
    return c.redirect(authorizeUrl, 302);
  });
}
