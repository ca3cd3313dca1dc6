/**
 * Throttling, as Microsoft Graph's guidance asks (learn.microsoft.com/graph/throttling): a 429, or a
 * 503 with Retry-After, is sent again after the wait Retry-After gives (1 s without one), a bounded
 * number of times. A wait above the cap is not waited out in the user's request: the caller gets the
 * throttled Response as it came, to answer "try again later" with Graph's own Retry-After.
 */
import type { WebCore } from './core.ts';

/** Graph sends Retry-After with its 429s; without one, a short pause. */
const DEFAULT_WAIT_MS = 1_000;

/** Retry-After in milliseconds (RFC 9110 delay-seconds; an HTTP date is read as no hint). */
export function retryAfterMs(value: string | null): number | undefined {
  if (value === null || !/^\d{1,7}$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

/** 429, or a 503 that says when to come back (a bare 503 is an outage, not throttling). */
export function isThrottled(response: Response): boolean {
  return response.status === 429 || (response.status === 503 && retryAfterMs(response.headers.get('retry-after')) !== undefined);
}

/** A body fetch can send a second time: a stream is consumed by the first attempt. */
export function canResend(body: RequestInit['body']): boolean {
  return (
    body === undefined || body === null || typeof body === 'string' || body instanceof ArrayBuffer || ArrayBuffer.isView(body) ||
    body instanceof URLSearchParams || body instanceof Blob || body instanceof FormData
  );
}

/** Runs `attempt`, and again after each throttled answer while the settings allow. */
export async function withThrottlingRetries(core: WebCore, url: string, init: RequestInit, attempt: () => Promise<Response>): Promise<Response> {
  const { maxRetries, maxWaitMs } = core.settings.throttling;
  const resendable = canResend(init.body);
  for (let retry = 1; ; retry += 1) {
    const response = await attempt();
    if (!isThrottled(response) || !resendable || retry > maxRetries) return response;
    const waitMs = retryAfterMs(response.headers.get('retry-after')) ?? DEFAULT_WAIT_MS;
    if (waitMs > maxWaitMs) return response;
    await response.body?.cancel().catch(() => undefined);
    const target = new URL(url);
    // Origin and path only, as in 'http-call': a query may carry anything.
    core.events.emit('request-throttled', { method: (init.method ?? 'GET').toUpperCase(), url: `${target.origin}${target.pathname}`, status: response.status, waitMs, retry });
    await waitUnlessAborted(core.settings.sleep, waitMs, init.signal ?? undefined);
  }
}

/**
 * The wait, cut short by the caller's signal: its reason is thrown, as fetch throws it, rather than
 * the request outliving the caller's deadline by up to the longest Retry-After allowed.
 */
async function waitUnlessAborted(sleep: (ms: number, signal?: AbortSignal) => Promise<void>, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return sleep(ms);
  signal.throwIfAborted();
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms, signal), aborted]);
  } catch (error) {
    // A sleep that ends on the signal itself (the default timer) rejects with its own AbortError.
    if (signal.aborted) throw signal.reason;
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
