import { EntrakitError } from 'entrakit';
import { readClaimsChallenge } from 'entrakit/web';
import { claimsChallengeError } from './claims-challenge.ts';

export interface GraphMe {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
  mail: string | null;
  jobTitle: string | null;
}

export interface GraphRetryOptions {
  /** Waits between attempts; tests pass one that returns at once. */
  sleep: (ms: number) => Promise<void>;
  /** Retries after a throttled answer (429, or 503 with Retry-After). Default 2. */
  maxRetries?: number;
  /** A Retry-After above this is not waited out in the request: the user gets a 503 at once. Default 10 s. */
  maxWaitMs?: number;
}

const SELECT = 'id,displayName,userPrincipalName,mail,jobTitle';
/** Graph sends Retry-After with its 429s; without one, a short pause. */
const DEFAULT_WAIT_MS = 1_000;

/**
 * GET /v1.0/me with the user's Graph token. Throttling (429, or 503 with Retry-After) is retried a
 * bounded number of times after the wait Graph asks for, as Graph's guidance says; a wait longer
 * than the cap, or throttling that outlasts the retries, becomes GRAPH_THROTTLED (503, with the
 * Retry-After Graph gave) rather than a request held open for minutes.
 */
export async function fetchGraphMe(fetchImpl: typeof fetch, graphBaseUrl: string, accessToken: string, retry: GraphRetryOptions): Promise<GraphMe> {
  const maxRetries = retry.maxRetries ?? 2;
  const maxWaitMs = retry.maxWaitMs ?? 10_000;
  for (let attempt = 0; ; attempt += 1) {
    let response: Response;
    try {
      response = await fetchImpl(`${graphBaseUrl}/me?$select=${SELECT}`, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (cause) {
      throw new EntrakitError('GRAPH_UNREACHABLE', `Microsoft Graph at ${graphBaseUrl} could not be reached`, { status: 502, cause });
    }
    const retryAfterSec = parseRetryAfter(response.headers.get('retry-after'));
    const throttled = response.status === 429 || (response.status === 503 && retryAfterSec !== undefined);
    if (throttled) {
      await response.body?.cancel().catch(() => undefined);
      const waitMs = retryAfterSec === undefined ? DEFAULT_WAIT_MS : retryAfterSec * 1000;
      if (attempt >= maxRetries || waitMs > maxWaitMs) {
        throw new EntrakitError('GRAPH_THROTTLED', `Microsoft Graph is throttling requests (HTTP ${response.status}) after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}`, {
          status: 503,
          details: { status: response.status, ...(retryAfterSec !== undefined ? { retryAfterSec } : {}) },
        });
      }
      await retry.sleep(waitMs);
      continue;
    }
    return readMe(response);
  }
}

async function readMe(response: Response): Promise<GraphMe> {
  // CAE: after revokeSignInSessions Graph refuses a CP1 token with a claims challenge.
  const claims = readClaimsChallenge(response);
  if (claims !== undefined) throw claimsChallengeError('Microsoft Graph', claims);
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!response.ok || !body || typeof body['id'] !== 'string') {
    const graphError = body?.['error'] as { code?: unknown } | undefined;
    throw new EntrakitError('GRAPH_REQUEST_FAILED', `Microsoft Graph answered HTTP ${response.status}`, {
      status: 502,
      details: { status: response.status, graphCode: typeof graphError?.code === 'string' ? graphError.code : undefined },
    });
  }
  const text = (name: string): string | null => (typeof body[name] === 'string' ? (body[name] as string) : null);
  return { id: body['id'], displayName: text('displayName'), userPrincipalName: text('userPrincipalName'), mail: text('mail'), jobTitle: text('jobTitle') };
}

/** Retry-After in seconds (RFC 9110: delay-seconds; an HTTP date is read as no hint). */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d{1,7}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
