import type { Hono } from 'hono';
import { childTraceparent, decodeToken, formatTraceparent, newTraceparent } from 'entrakit';
import type { TraceStep } from 'entrakit';
import { apiAccess } from '../auth/api-access.ts';
import type { AppEnv, WebDeps } from '../context.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { render } from '../views/render.ts';
import { storyPage } from '../views/story-page.ts';
import type { StoryView } from '../views/story-page.ts';

const MAX_STORY_BYTES = 256 * 1024;

/**
 * GET /story: a token for the API scope (silently, or through /authorize once for consent), then
 * GET {API_URL}/api/story with it and a W3C traceparent. The API returns its part of the trace
 * (checks, On-Behalf-Of, Storage); the page shows the whole call as one trace, and the story as text.
 */
export function storyRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/story', requireSignIn(), async function showStory(c) {
    const session = c.get('session')!;
    const { apiUrl, apiScope } = deps.config;
    const show = (view: StoryView) => render(c, 'Story', 'story', storyPage(view));
    const root = newTraceparent();
    const startedAt = deps.clock();
    const steps: TraceStep[] = [
      { at: startedAt, from: 'browser', to: 'app', title: 'GET /story', method: 'GET', fields: [{ name: 'trace id', value: root.traceId, note: 'W3C Trace Context: one id for the whole call' }], notes: ['The browser sends only its session cookie; it never holds a token.'] },
    ];

    const access = await apiAccess(deps, session, '/story');
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
      return show({ kind: 'problem', apiUrl, scope: apiScope, message: `The API at ${apiUrl} could not be reached. Start it with "entrakit api" (or "entrakit dev").` });
    }
    const text = (await response.text()).slice(0, MAX_STORY_BYTES);
    const body = parseJson(text);
    const apiTrace = body?.['trace'] as { traceId?: unknown; steps?: unknown } | undefined;
    if (Array.isArray(apiTrace?.steps)) steps.push(...(apiTrace.steps as TraceStep[]).filter(isStep));
    steps.push(
      { at: deps.clock(), from: 'api', to: 'app', title: `${response.status} from the API`, status: response.status, fields: [], notes: [apiTrace?.traceId === root.traceId ? 'The API continued the same trace id.' : 'The API did not report this trace id.'] },
      { at: deps.clock(), from: 'app', to: 'browser', title: '200 this page', status: 200, fields: [], notes: ['Only the story and this trace reach the browser.'] },
    );
    const trace = { traceId: root.traceId, startedAt, steps };
    if (!response.ok) {
      const challenge = response.headers.get('www-authenticate');
      const description = typeof body?.['error_description'] === 'string' ? body['error_description'] : text;
      return show({ kind: 'problem', apiUrl, scope: apiScope, message: `The API answered HTTP ${response.status}.`, detail: (challenge ?? description).slice(0, 500), trace });
    }
    const story = typeof body?.['story'] === 'string' ? body['story'] : text;
    return show({ kind: 'story', apiUrl, scope: apiScope as string, markdown: story, trace });
  });
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
