/**
 * Microsoft Graph as the signed-in user, through entra.graph: the library attaches the user's
 * token, follows claims challenges (CAE after revokeSignInSessions) and waits out throttling within
 * its bounds (2 retries, 10 s). What is left here is the app's own error codes for its pages.
 */
import { EntrakitError, isEntrakitError } from 'entrakit';
import { isThrottled, retryAfterMs } from 'entrakit/web';
import type { WebContext, WebDeps } from '../context.ts';

/** Covers the attempts and the library's throttling waits (at most 2 × 10 s). */
const GRAPH_CALL_TIMEOUT_MS = 45_000;

/**
 * `path` on Graph with a token for `scopes` (User.Read by default). Graph out of reach is
 * GRAPH_UNREACHABLE (502); throttling the library did not wait out (it kept on, or asked for more
 * than 10 s) is GRAPH_THROTTLED (503, with Graph's Retry-After); any other answer is returned.
 */
export async function userGraph(deps: Pick<WebDeps, 'entra'>, c: WebContext, path: string, init: { scopes?: string[]; method?: string } = {}): Promise<Response> {
  let response: Response;
  try {
    response = await deps.entra.graph(c, path, { ...init, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(GRAPH_CALL_TIMEOUT_MS) });
  } catch (cause) {
    // The library's own outcomes (sign-in or step-up needed, the identity provider down) go on as they are.
    if (isEntrakitError(cause)) throw cause;
    throw new EntrakitError('GRAPH_UNREACHABLE', `Microsoft Graph could not be reached for ${path.split('?')[0]}`, { status: 502, cause });
  }
  if (isThrottled(response)) {
    const waitMs = retryAfterMs(response.headers.get('retry-after'));
    const retryAfterSec = waitMs === undefined ? undefined : waitMs / 1000;
    await response.body?.cancel().catch(() => undefined);
    throw new EntrakitError('GRAPH_THROTTLED', `Microsoft Graph is throttling requests (HTTP ${response.status})`, {
      status: 503,
      details: { status: response.status, ...(retryAfterSec !== undefined ? { retryAfterSec } : {}) },
    });
  }
  return response;
}
