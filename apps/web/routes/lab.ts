import type { Hono } from 'hono';
import { isEntrakitError } from 'entrakit';
import { apiAccess } from '../auth/tokens.ts';
import type { AppEnv, WebDeps } from '../context.ts';
import { runTamperLab } from '../lab/run-lab.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { labPage } from '../views/lab-page.ts';
import { render } from '../views/render.ts';

/**
 * GET /lab: explains the attacks; GET /lab?run=1 takes the user's own API token, tampers with it
 * here on the server, sends each variant to the API and shows how each was refused. Nothing is
 * changed by running it, so a GET is right; the tokens themselves never reach the page.
 */
export function labRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/lab', requireSignIn(), async function showLab(c) {
    const session = c.get('session')!;
    const show = (view: Parameters<typeof labPage>[0]) => render(c, 'Break it', 'lab', labPage(view));
    if (c.req.query('run') !== '1') return show({ kind: 'intro', apiUrl: deps.config.apiUrl });
    const access = await apiAccess(deps, c, session, '/lab?run=1');
    if (access.kind === 'consent') return c.redirect(access.redirect, 302);
    if (access.kind === 'problem') return show({ kind: 'problem', apiUrl: deps.config.apiUrl, message: access.message });

    const graphToken = await deps.entra.getAccessToken(c, ['User.Read']).then(
      (token) => token,
      (error: unknown) => {
        if (isEntrakitError(error)) return undefined;
        throw error;
      },
    );
    const jwksUri = (await deps.provider.metadata()).jwks_uri;
    let jwks: { keys: [] };
    try {
      jwks = (await (await deps.fetch(jwksUri, { signal: AbortSignal.timeout(10_000) })).json()) as { keys: [] };
    } catch {
      return show({ kind: 'problem', apiUrl: deps.config.apiUrl, message: `The identity provider's keys at ${jwksUri} could not be loaded (the HS256 attack needs the public key).` });
    }
    try {
      const results = await runTamperLab({
        tokens: {
          accessToken: access.result.accessToken,
          ...(await deps.entra.cachedIdToken(c).then((idToken) => (idToken ? { idToken } : {}))),
          ...(graphToken ? { graphToken } : {}),
          jwks,
          nowSec: Math.floor(deps.clock() / 1000),
        },
        apiUrl: deps.config.apiUrl,
        fetch: deps.fetch,
      });
      return show({ kind: 'results', apiUrl: deps.config.apiUrl, results });
    } catch {
      return show({ kind: 'problem', apiUrl: deps.config.apiUrl, message: `The API at ${deps.config.apiUrl} could not be reached. Start it with "entrakit api" (or "entrakit dev").` });
    }
  });
}
