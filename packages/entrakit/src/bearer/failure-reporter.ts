import type { DiscoveryClient } from '../core/discovery/discovery-client.ts';
import type { LibraryError } from '../core/errors.ts';

/** A server-side failure of the bearer check, as `onFailure` receives it. */
export interface BearerFailure {
  /**
   * 'unavailable': discovery or the JWKS could not be fetched or used (the caller got 502/503);
   * reported once per incident. 'internal': a bug (the caller got 500); reported every time.
   */
  kind: 'unavailable' | 'internal';
  code: LibraryError['code'];
  status: number;
  /** The discovery document or JWKS that failed (unavailable only, when known). */
  url?: string;
  /** The underlying failure: the network error, HTTP status text, or the bug. */
  cause: unknown;
  error: LibraryError;
}

interface Incident {
  openedAt: number;
  kind: 'discovery' | 'jwks';
}

/**
 * Reports each outage once: an incident opens on the first 5xx for a URL and closes when that URL
 * works again (its discovery document is fetched, or its key set is refetched and a token verified
 * with it). Bugs are reported every time. A hook that throws is ignored: reporting must never
 * change the answer.
 */
export function createFailureReporter(onFailure: (failure: BearerFailure) => void, clock: () => number) {
  const open = new Map<string, Incident>();

  function report(failure: BearerFailure): void {
    try {
      onFailure(failure);
    } catch {
      // The hook is the application's; its failure must not turn a 503 into something else.
    }
  }

  return {
    unavailable(error: LibraryError): void {
      const details = error.details ?? {};
      const url = typeof details['discoveryUrl'] === 'string' ? details['discoveryUrl'] : typeof details['jwksUri'] === 'string' ? details['jwksUri'] : undefined;
      const key = url ?? error.code;
      if (open.has(key)) return;
      open.set(key, { openedAt: clock(), kind: typeof details['discoveryUrl'] === 'string' ? 'discovery' : 'jwks' });
      report({ kind: 'unavailable', code: error.code, status: error.status, ...(url === undefined ? {} : { url }), cause: error.cause ?? error.message, error });
    },
    internal(error: LibraryError): void {
      report({ kind: 'internal', code: error.code, status: error.status, cause: error.cause, error });
    },
    /** Discovery documents that were fetched (or served from cache) end their incidents. */
    discoverySettled(urls: readonly string[], settled: readonly PromiseSettledResult<unknown>[]): void {
      if (open.size === 0) return;
      urls.forEach((url, i) => {
        if (settled[i]?.status === 'fulfilled' && open.get(url)?.kind === 'discovery') open.delete(url);
      });
    },
    /** A token was verified: every key set refetched since its incident opened works again. */
    succeeded(discovery: DiscoveryClient): void {
      if (open.size === 0) return;
      for (const [key, incident] of open) {
        if (incident.kind !== 'jwks') continue;
        if (!key.includes('://')) open.delete(key);
        else if ((discovery.getKeySet(key).fetchedAt ?? -Infinity) >= incident.openedAt) open.delete(key);
      }
    },
  };
}

/** The default hook: one stderr line with the code, the URL and the cause, nothing from the request. */
export function logFailure(failure: BearerFailure): void {
  console.error(`entrakit bearer: ${failure.code} (${failure.status})${failure.url ? ` ${failure.url}` : ''}: ${describeCause(failure.cause, failure.kind === 'unavailable')}`);
}

/**
 * `TypeError: fetch failed (ECONNREFUSED)` for an outage; for a bug only its class and first stack
 * frame (a bug's message may quote request data).
 */
function describeCause(cause: unknown, withMessage: boolean): string {
  if (!(cause instanceof Error)) return withMessage ? String(cause) : typeof cause;
  if (!withMessage) {
    const at = /\n\s+at (.*)/.exec(cause.stack ?? '')?.[1];
    return `${cause.name}${at ? ` at ${at}` : ''}`;
  }
  const inner = cause.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof inner?.code === 'string' ? ` (${inner.code})` : typeof inner?.message === 'string' ? ` (${inner.message})` : '';
  const frame = /\n\s+at (.*)/.exec(cause.stack ?? '')?.[1];
  return `${cause.name}: ${cause.message}${detail}${frame ? ` at ${frame}` : ''}`;
}
