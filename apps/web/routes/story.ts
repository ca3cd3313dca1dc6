import type { Hono } from 'hono';
import { isEntrakitError } from 'entrakit';
import { userAccessToken } from '../auth/user-tokens.ts';
import type { AppEnv, WebDeps } from '../context.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { render } from '../views/render.ts';
import { storyPage } from '../views/story-page.ts';
import type { StoryView } from '../views/story-page.ts';

const MAX_STORY_BYTES = 256 * 1024;

/**
 * GET /story: a token for the API scope (silently, or through /authorize once for consent), then
 * GET {API_URL}/api/story with it. The markdown is shown as escaped preformatted text.
 */
export function storyRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/story', requireSignIn(), async function showStory(c) {
    const session = c.get('session')!;
    const { apiUrl, apiScope } = deps.config;
    const show = (view: StoryView) => render(c, 'Story', 'story', storyPage(view));
    if (!apiScope) return show({ kind: 'problem', apiUrl, scope: undefined, message: 'API_SCOPE is not configured, so the app cannot ask for a token for the API.' });

    let accessToken: string;
    try {
      accessToken = (await userAccessToken(deps, session, [apiScope])).accessToken;
    } catch (error) {
      if (!isEntrakitError(error, 'INTERACTION_REQUIRED')) throw error;
      const askedForApi = session.data.scopes.includes(apiScope);
      // The refresh token is revoked or expired: sign in again (silently when the IdP session
      // exists), asking for the API again when this session's sign-in did.
      if (error.details?.['reason'] === 'grant') {
        return c.redirect(`/auth/sign-in?${askedForApi ? 'consent=api&' : ''}returnTo=${encodeURIComponent('/story')}`, 302);
      }
      // This session came from a sign-in that asked for the API already: do not loop through /authorize.
      if (askedForApi) {
        return show({ kind: 'problem', apiUrl, scope: apiScope, message: 'The identity provider still requires interaction for the API scope after consent was asked for.', detail: error.message });
      }
      return c.redirect(`/auth/sign-in?consent=api&returnTo=${encodeURIComponent('/story')}`, 302);
    }

    let response: Response;
    try {
      response = await deps.fetch(`${apiUrl}/api/story`, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'text/markdown, application/json;q=0.9, text/plain;q=0.8' },
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      return show({ kind: 'problem', apiUrl, scope: apiScope, message: `The API at ${apiUrl} could not be reached. Start it with "entrakit api" (or "entrakit dev").` });
    }
    const text = (await response.text()).slice(0, MAX_STORY_BYTES);
    if (!response.ok) {
      const challenge = response.headers.get('www-authenticate');
      return show({ kind: 'problem', apiUrl, scope: apiScope, message: `The API answered HTTP ${response.status}.`, detail: (challenge ?? text).slice(0, 500) });
    }
    return show({ kind: 'story', apiUrl, scope: apiScope, markdown: storyText(text, response.headers.get('content-type')) });
  });
}

/** The API may send markdown as text or wrapped in JSON; either way the page shows text. */
function storyText(body: string, contentType: string | null): string {
  if (!contentType?.includes('json')) return body;
  try {
    const value = JSON.parse(body) as Record<string, unknown>;
    for (const field of ['markdown', 'story', 'text', 'content']) if (typeof value[field] === 'string') return value[field];
    return JSON.stringify(value, null, 2);
  } catch {
    return body;
  }
}
