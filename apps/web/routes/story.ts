import type { Hono } from 'hono';
import { EntrakitError, isEntrakitError } from 'entrakit';
import { claimsChallengeError, readClaimsChallenge, stepUpSignInUrl, withClaimsChallenge } from '../auth/claims-challenge.ts';
import { randomToken } from '../auth/sign-in-transaction.ts';
import { userAccessToken } from '../auth/user-tokens.ts';
import type { AppEnv, LoadedSession, WebContext, WebDeps } from '../context.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { render } from '../views/render.ts';
import { storyPage } from '../views/story-page.ts';
import type { StoryView } from '../views/story-page.ts';

const MAX_STORY_BYTES = 256 * 1024;
/** A delete waiting for the user's step-up sign-in: single use, for the same user, briefly. */
const PENDING_TTL_MS = 10 * 60_000;
const PENDING_ID = /^[A-Za-z0-9_-]{43}$/;
const pendingKey = (id: string) => `web:pending-story-delete:${id}`;

/**
 * GET /story: a token for the API scope (silently, or through /authorize once for consent), then
 * GET {API_URL}/api/story with it. The markdown is shown as escaped preformatted text.
 * POST /story/delete (the Danger zone, CSRF-protected): DELETE {API_URL}/api/story, which demands
 * authentication context c1. The API's claims challenge sends the user through /authorize with
 * those claims (the second factor); the delete then runs again once, on the way back.
 */
export function storyRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/story', requireSignIn(), async function showStory(c) {
    const session = c.get('session')!;
    const { apiUrl, apiScope } = deps.config;
    const show = (view: StoryView) => render(c, 'Story', 'story', storyPage(view));
    if (!apiScope) return show({ kind: 'problem', apiUrl, scope: undefined, message: 'API_SCOPE is not configured, so the app cannot ask for a token for the API.' });

    // Back from a step-up sign-in: run the delete the user asked for, once.
    const retry = c.req.query('retry');
    if (retry !== undefined) return retryDelete(c, deps, session, retry);

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

    const csrf = session.data.csrf;
    const notice = c.req.query('deleted') === '1' ? 'Your story was deleted.' : undefined;
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
    if (response.status === 404) return show({ kind: 'empty', apiUrl, scope: apiScope, ...(notice ? { notice } : {}) });
    if (!response.ok) {
      const challenge = response.headers.get('www-authenticate');
      return show({ kind: 'problem', apiUrl, scope: apiScope, message: `The API answered HTTP ${response.status}.`, detail: (challenge ?? text).slice(0, 500) });
    }
    return show({ kind: 'story', apiUrl, scope: apiScope, markdown: storyText(text, response.headers.get('content-type')), csrf, ...(notice ? { notice } : {}) });
  });

  app.post('/story/delete', requireSignIn(), csrfProtection({ baseUrl: deps.config.baseUrl }), async function deleteStory(c) {
    const session = c.get('session')!;
    if (!deps.config.apiScope) throw new EntrakitError('STORY_DELETE_FAILED', 'API_SCOPE is not configured', { status: 500 });
    try {
      await callDelete(deps, session);
    } catch (error) {
      if (isEntrakitError(error, 'STEP_UP_REQUIRED')) {
        // Remembered server-side under an unguessable id: the GET on the way back runs it once,
        // and only for this user (a forged link finds nothing).
        const id = randomToken();
        await deps.stores.kv.set(pendingKey(id), JSON.stringify({ tid: session.data.tid, oid: session.data.oid }), PENDING_TTL_MS);
        deps.logger.info({ event: 'story.delete.step-up' }, 'the API asked for authentication context; sending the user through sign-in');
        return c.redirect(stepUpSignInUrl(String(error.details?.['claims']), `/story?retry=${id}`, { consentToApi: true }), 302);
      }
      if (isEntrakitError(error, 'INTERACTION_REQUIRED')) return c.redirect(`/auth/sign-in?consent=api&returnTo=${encodeURIComponent('/story')}`, 302);
      throw error;
    }
    return c.redirect('/story?deleted=1', 302);
  });
}

/** The pending delete, if it is this user's; then the delete itself (a second challenge is an error, not a loop). */
async function retryDelete(c: WebContext, deps: WebDeps, session: LoadedSession, id: string): Promise<Response> {
  const raw = PENDING_ID.test(id) ? await deps.stores.kv.take(pendingKey(id)) : undefined;
  let pending: { tid?: unknown; oid?: unknown } | undefined;
  try {
    pending = raw === undefined ? undefined : (JSON.parse(raw) as { tid?: unknown; oid?: unknown });
  } catch {
    pending = undefined;
  }
  if (!pending || pending.tid !== session.data.tid || pending.oid !== session.data.oid) return c.redirect('/story', 302);
  try {
    await callDelete(deps, session);
  } catch (error) {
    if (isEntrakitError(error, 'STEP_UP_REQUIRED')) {
      throw new EntrakitError('STORY_DELETE_FAILED', 'The API still asks for more claims after the step-up sign-in', { status: 403, cause: error });
    }
    throw error;
  }
  return c.redirect('/story?deleted=1', 302);
}

/** DELETE {API_URL}/api/story; a claims challenge is CLAIMS_CHALLENGE (withClaimsChallenge handles it). */
async function callDelete(deps: WebDeps, session: LoadedSession): Promise<void> {
  const { apiUrl, apiScope } = deps.config;
  await withClaimsChallenge(deps, session, [apiScope as string], async (accessToken) => {
    let response: Response;
    try {
      response = await deps.fetch(`${apiUrl}/api/story`, { method: 'DELETE', headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(15_000) });
    } catch (cause) {
      throw new EntrakitError('STORY_DELETE_FAILED', `The API at ${apiUrl} could not be reached`, { status: 502, cause });
    }
    const claims = readClaimsChallenge(response);
    if (claims !== undefined) throw claimsChallengeError('The API', claims);
    // 404: there is nothing left to delete, which is what the user wanted.
    if (!response.ok && response.status !== 404) throw new EntrakitError('STORY_DELETE_FAILED', `The API answered HTTP ${response.status}`, { status: 502 });
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
