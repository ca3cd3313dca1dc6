import type { Hono } from 'hono';
import { decodeToken, EntrakitError, isEntrakitError } from 'entrakit';
import { childTraceparent, formatTraceparent, newTraceparent } from '../../shared/trace-context.ts';
import type { TraceStep } from '../../shared/trace.ts';
import { apiAccess, apiSignInUrl } from '../auth/tokens.ts';
import type { AppEnv, WebContext, WebDeps } from '../context.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { render } from '../views/render.ts';
import { storyPage } from '../views/story-page.ts';
import type { StoryView } from '../views/story-page.ts';

const MAX_STORY_BYTES = 256 * 1024;
/** What the Danger zone keeps through the step-up sign-in (entra.stepUp), taken once on the way back. */
const DELETE_ACTION = { action: 'delete-story' };

/**
 * GET /story: a token for the API scope (silently, or through /authorize once for consent), then
 * GET {API_URL}/api/story with it and a W3C traceparent. The API returns its part of the trace
 * (checks, On-Behalf-Of, Storage); the page shows the whole call as one trace, and the story as text.
 * POST /story/delete (the Danger zone, CSRF-protected): DELETE {API_URL}/api/story, which demands
 * authentication context c1. The API's claims challenge sends the user through /authorize with
 * those claims (entra.stepUp: the second factor); the delete then runs again once, on the way back
 * (entra.resumeAction, for the same user only).
 */
export function storyRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/story', requireSignIn(), async function showStory(c) {
    const session = c.get('session')!;
    const { apiUrl, apiScope } = deps.config;
    const show = (view: StoryView, status = 200) => render(c, 'Story', 'story', storyPage(view), status);
    // Back from a step-up sign-in: run the delete the user asked for, once.
    const resume = c.req.query('resume');
    if (resume !== undefined) return resumeDelete(c, deps, resume);
    const csrf = session.data.csrf;
    const notice = c.req.query('deleted') === '1' ? 'Your story was deleted.' : undefined;
    const root = newTraceparent();
    const startedAt = deps.clock();
    const steps: TraceStep[] = [
      { at: startedAt, from: 'browser', to: 'app', title: 'GET /story', method: 'GET', fields: [{ name: 'trace id', value: root.traceId, note: 'W3C Trace Context: one id for the whole call' }], notes: ['The browser sends only its session cookie; it never holds a token.'] },
    ];

    const access = await apiAccess(deps, c, session, '/story');
    if (access.kind === 'consent') return c.redirect(access.redirect, 302);
    if (access.kind === 'problem') return show({ kind: 'problem', apiUrl, scope: apiScope, message: access.message, ...(access.detail ? { detail: access.detail } : {}) });
    const { accessToken, fromCache, expiresOn } = access.result;
    const claims = safeClaims(accessToken);
    steps.push({
      at: deps.clock(),
      from: 'app',
      to: 'app',
      title: fromCache ? 'API token from the cache' : 'API token, refreshed',
      fields: [
        { name: 'aud', value: String(claims['aud'] ?? ''), note: 'the API' },
        { name: 'scp', value: String(claims['scp'] ?? ''), note: 'what the API will require' },
        { name: 'ver', value: String(claims['ver'] ?? ''), note: 'the API asked for v2 tokens' },
        { name: 'expires', value: expiresOn ? expiresOn.toISOString() : 'unknown' },
      ],
      notes: [fromCache ? 'MSAL found a valid token in your encrypted token cache: no call to Entra ID.' : 'MSAL redeemed your refresh token at the token endpoint for a new API token.'],
    });

    const outgoing = formatTraceparent(childTraceparent(root));
    const sentAt = deps.clock();
    steps.push({
      at: sentAt,
      from: 'app',
      to: 'api',
      title: 'GET /api/story',
      method: 'GET',
      url: `${apiUrl}/api/story`,
      fields: [
        { name: 'traceparent', value: outgoing, note: 'version-traceid-spanid-flags' },
        { name: 'Authorization', value: 'Bearer [API token, redacted]' },
      ],
      notes: [],
    });

    let response: Response;
    try {
      response = await deps.fetch(`${apiUrl}/api/story`, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', traceparent: outgoing },
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      return show({ kind: 'problem', apiUrl, scope: apiScope, message: `The API at ${apiUrl} could not be reached. Start it with "entrakit api" (or "entrakit dev").` }, 502);
    }
    const text = (await response.text()).slice(0, MAX_STORY_BYTES);
    const body = parseJson(text);
    const apiTrace = body?.['trace'] as { traceId?: unknown; steps?: unknown } | undefined;
    const pageStatus = storyPageStatus(response.status);
    if (Array.isArray(apiTrace?.steps)) steps.push(...(apiTrace.steps as TraceStep[]).filter(isStep));
    steps.push(
      { at: deps.clock(), from: 'api', to: 'app', title: `${response.status} from the API`, status: response.status, fields: [], notes: [apiTrace?.traceId === root.traceId ? 'The API continued the same trace id.' : 'The API did not report this trace id.'] },
      { at: deps.clock(), from: 'app', to: 'browser', title: `${pageStatus} this page`, status: pageStatus, fields: [], notes: ['Only the story and this trace reach the browser.'] },
    );
    const trace = { traceId: root.traceId, startedAt, steps };
    if (response.status === 404) return show({ kind: 'empty', apiUrl, scope: apiScope as string, trace, ...(notice ? { notice } : {}) });
    if (!response.ok) {
      const challenge = response.headers.get('www-authenticate');
      const description = typeof body?.['error_description'] === 'string' ? body['error_description'] : text;
      return show({ kind: 'problem', apiUrl, scope: apiScope, message: `The API answered HTTP ${response.status}.`, detail: (challenge ?? description).slice(0, 500), trace }, pageStatus);
    }
    const story = typeof body?.['story'] === 'string' ? body['story'] : text;
    return show({ kind: 'story', apiUrl, scope: apiScope as string, markdown: story, trace, csrf, ...(notice ? { notice } : {}) });
  });
  app.post('/story/delete', requireSignIn(), csrfProtection({ baseUrl: deps.config.baseUrl }), async function deleteStory(c) {
    if (!deps.config.apiScope) throw new EntrakitError('STORY_DELETE_FAILED', 'API_SCOPE is not configured', { status: 500 });
    try {
      await callDelete(deps, c);
    } catch (error) {
      if (isEntrakitError(error, 'STEP_UP_REQUIRED')) {
        // Kept server-side under an unguessable id: the GET on the way back runs it once, and only
        // for this user (a forged link finds nothing).
        deps.logger.info({ event: 'story.delete.step-up' }, 'the API asked for authentication context; sending the user through sign-in');
        return deps.entra.stepUp(c, error, { returnTo: '/story', action: DELETE_ACTION });
      }
      if (isEntrakitError(error, 'INTERACTION_REQUIRED')) return c.redirect(apiSignInUrl('/story'), 302);
      throw error;
    }
    return c.redirect('/story?deleted=1', 302);
  });
}

/** The pending delete, if it is this user's; then the delete itself (a second challenge is an error, not a loop). */
async function resumeDelete(c: WebContext, deps: WebDeps, id: string): Promise<Response> {
  const action = (await deps.entra.resumeAction(c, id)) as { action?: unknown } | undefined;
  if (action?.action !== DELETE_ACTION.action) return c.redirect('/story', 302);
  try {
    await callDelete(deps, c);
  } catch (error) {
    if (isEntrakitError(error, 'STEP_UP_REQUIRED')) {
      throw new EntrakitError('STORY_DELETE_FAILED', 'The API still asks for more claims after the step-up sign-in', { status: 403, cause: error });
    }
    throw error;
  }
  return c.redirect('/story?deleted=1', 302);
}

/**
 * DELETE {API_URL}/api/story through entra.fetch, which attaches the API token and follows a claims
 * challenge (a silent retry, then STEP_UP_REQUIRED for the route to send the user through sign-in).
 */
async function callDelete(deps: WebDeps, c: WebContext): Promise<void> {
  const { apiUrl, apiScope } = deps.config;
  let response: Response;
  try {
    response = await deps.entra.fetch(c, `${apiUrl}/api/story`, { scopes: [apiScope as string], method: 'DELETE', signal: AbortSignal.timeout(15_000) });
  } catch (cause) {
    if (isEntrakitError(cause)) throw cause;
    throw new EntrakitError('STORY_DELETE_FAILED', `The API at ${apiUrl} could not be reached`, { status: 502, cause });
  }
  await response.body?.cancel().catch(() => undefined);
  // 404: there is nothing left to delete, which is what the user wanted.
  if (!response.ok && response.status !== 404) throw new EntrakitError('STORY_DELETE_FAILED', `The API answered HTTP ${response.status}`, { status: 502 });
}

/**
 * The page's own status: 200 when the API answered (a 404 is "no story yet"); when the API, or the
 * storage behind it, failed, the page is still shown but answers with the upstream class, so
 * monitors and health checks do not read success: 503 when the API says it is unavailable, 502
 * for any other failure of the API.
 */
export function storyPageStatus(apiStatus: number): 200 | 502 | 503 {
  if ((apiStatus >= 200 && apiStatus < 300) || apiStatus === 404) return 200;
  return apiStatus === 503 ? 503 : 502;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const ACTORS = new Set(['browser', 'app', 'idp', 'api', 'storage']);

/** The API's steps are data from another service: keep only well-formed ones. */
function isStep(value: unknown): value is TraceStep {
  const step = value as Partial<TraceStep> | null;
  return (
    typeof step === 'object' && step !== null && typeof step.at === 'number' && typeof step.title === 'string' &&
    ACTORS.has(String(step.from)) && ACTORS.has(String(step.to)) && Array.isArray(step.fields) && Array.isArray(step.notes) &&
    step.fields.every((f) => typeof f?.name === 'string' && typeof f?.value === 'string') && step.notes.every((n) => typeof n === 'string')
  );
}

function safeClaims(token: string): Record<string, unknown> {
  try {
    return decodeToken(token, { maxTokenBytes: 65_536 }).payload;
  } catch {
    return {};
  }
}
