import { Buffer } from 'node:buffer';
import { createLocalJWKSet } from 'jose';
import type { FlattenedJWSInput, JSONWebKeySet, JWSHeaderParameters } from 'jose';
import { EntrakitError } from '../errors.ts';

export interface RemoteKeySetOptions {
  fetch: typeof globalThis.fetch;
  /** Milliseconds since the epoch: every time rule below is measured with it. */
  clock: () => number;
  /** Minimum time between refetches caused by an unknown `kid`. */
  cooldownMs: number;
  /** Age after which the key set is refetched before use. */
  maxAgeMs: number;
  /**
   * Minimum time between the extra refetches allowed inside the cooldown for a token issued after
   * the last fetch (its key may have been published since).
   */
  freshTokenRefetchMs: number;
  timeoutMs: number;
}

/** A JWKS fetched from `jwks_uri`, usable as a jose key-set function. */
export interface RemoteKeySet {
  (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey>;
  /** True while an unknown `kid` does not trigger a refetch (except for a newer token, see above). */
  readonly coolingDown: boolean;
  /** When the keys were last fetched (clock milliseconds), undefined before the first fetch. */
  readonly fetchedAt: number | undefined;
}

/** A token `iat` this far ahead of the clock is not taken as proof of a newer key. */
const MAX_FUTURE_MS = 5 * 60 * 1000;

/**
 * The issuer's JWKS with Entra's rotation in mind. Keys are cached for `maxAgeMs`; an unknown
 * `kid` refetches at most once per `cooldownMs`. Entra (and the emulator) publish a new key
 * shortly before signing with it, so a consumer that fetched just before publication would refuse
 * the new key's tokens for a whole cooldown: a token whose `iat`/`nbf` is newer than the last fetch
 * (and that has not expired) may refetch inside the cooldown too, at most once per
 * `freshTokenRefetchMs`. The validators only get here after the cheap checks (size, alg RS256,
 * kid present, trusted issuer), and concurrent callers share one fetch.
 */
export function createRemoteKeySet(jwksUri: string, options: RemoteKeySetOptions): RemoteKeySet {
  const { clock } = options;
  let keys: ReturnType<typeof createLocalJWKSet> | undefined;
  let fetchedAt: number | undefined;
  let freshRefetchAt = -Infinity;
  let pending: Promise<void> | undefined;

  async function load(): Promise<void> {
    let response: Response;
    try {
      response = await options.fetch(jwksUri, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (cause) {
      throw unreachable(jwksUri, 'could not be fetched', cause);
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw unreachable(jwksUri, `answered HTTP ${response.status}`);
    }
    let set: ReturnType<typeof createLocalJWKSet>;
    try {
      set = createLocalJWKSet((await response.json()) as JSONWebKeySet);
    } catch (cause) {
      throw unreachable(jwksUri, 'is not a JSON Web Key Set', cause);
    }
    keys = set;
    fetchedAt = clock();
  }

  function reload(): Promise<void> {
    // Failures are not cached: nobody gets stale keys, and the next caller tries again.
    pending ??= load().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  const coolingDown = (): boolean => fetchedAt !== undefined && clock() - fetchedAt < options.cooldownMs;

  /** The token was issued after our copy of the keys, so its key may be new: worth one fetch. */
  function issuedSinceFetch(token: FlattenedJWSInput): boolean {
    if (fetchedAt === undefined || clock() - freshRefetchAt < options.freshTokenRefetchMs) return false;
    const claims = payloadOf(token);
    if (!claims) return false;
    const now = clock();
    const issuedMs = Math.max(numberClaim(claims['iat']), numberClaim(claims['nbf'])) * 1000;
    const expMs = numberClaim(claims['exp']) * 1000;
    return issuedMs > fetchedAt && issuedMs <= now + MAX_FUTURE_MS && expMs > now;
  }

  async function getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    // reload() joins a fetch in flight; a refetch for an unknown kid does not hold up known kids.
    if (!keys || fetchedAt === undefined || clock() - fetchedAt >= options.maxAgeMs) await reload();
    const seen = keys!;
    try {
      return await seen(header, token);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw error;
      // Concurrent callers share a refetch another caller started (or just finished).
      if (pending) await pending;
      else if (keys === seen) {
        if (coolingDown()) {
          if (!issuedSinceFetch(token)) throw error;
          freshRefetchAt = clock();
        }
        await reload();
      }
      return keys!(header, token);
    }
  }

  return Object.defineProperties(getKey, {
    coolingDown: { get: coolingDown, enumerable: true },
    fetchedAt: { get: () => fetchedAt, enumerable: true },
  }) as RemoteKeySet;
}

function payloadOf(token: FlattenedJWSInput): Record<string, unknown> | undefined {
  if (typeof token.payload !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token.payload, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function numberClaim(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : -Infinity;
}

function unreachable(jwksUri: string, what: string, cause?: unknown): EntrakitError {
  return new EntrakitError('JWKS_UNREACHABLE', `The key set at ${jwksUri} ${what}`, { cause, details: { jwksUri } });
}
