import { Buffer } from 'node:buffer';
import { createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { createLocalJWKSet, errors } from 'jose';
import type { FlattenedJWSInput, JSONWebKeySet, JWK, JWSHeaderParameters } from 'jose';
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
  /**
   * The RS256 verification key for the token's `kid` as a node:crypto KeyObject (made once per key
   * and fetch), chosen and refetched by exactly the rules of the jose function above. Rejects as
   * it does (jose's JWKSNoMatchingKey / JWKSMultipleMatchingKeys, or JWKS_UNREACHABLE).
   */
  rs256Key(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<KeyObject>;
  /** The same key without waiting, when the set is loaded, fresh and has it; else undefined. */
  cachedRs256Key(kid: string): KeyObject | undefined;
}

/** Every key set this module made: the validators use their KeyObjects directly (see verify-jwt). */
const remoteKeySets = new WeakSet<object>();
export function isRemoteKeySet(value: unknown): value is RemoteKeySet {
  return typeof value === 'function' && remoteKeySets.has(value);
}

interface LoadedKeys {
  jose: ReturnType<typeof createLocalJWKSet>;
  jwks: readonly JWK[];
  /** Per kid: the one usable RS256 key, or the jose error its selection gives. */
  byKid: Map<string, KeyObject | Error>;
}

/**
 * jose's rule (jwks/local.js isUsableJWK) for an RS256 token with this kid: ext boolean if present,
 * key_ops (if present) unique strings including "verify", kty RSA, the same kid, alg absent or
 * RS256, use absent or "sig".
 */
function usableForRs256(jwk: JWK, kid: string): boolean {
  const keyOps = jwk.key_ops;
  return (
    (jwk.ext === undefined || typeof jwk.ext === 'boolean') &&
    (keyOps === undefined || (Array.isArray(keyOps) && keyOps.every((op, i) => typeof op === 'string' && keyOps.indexOf(op) === i) && keyOps.includes('verify'))) &&
    jwk.kty === 'RSA' &&
    jwk.kid === kid &&
    (jwk.alg === undefined || jwk.alg === 'RS256') &&
    (jwk.use === undefined || jwk.use === 'sig')
  );
}

function selectRs256Key(loaded: LoadedKeys, kid: string): KeyObject {
  let found = loaded.byKid.get(kid);
  if (found === undefined) {
    const candidates = loaded.jwks.filter((jwk) => usableForRs256(jwk, kid));
    if (candidates.length === 0) found = new errors.JWKSNoMatchingKey();
    else if (candidates.length > 1) found = new errors.JWKSMultipleMatchingKeys();
    else {
      try {
        // A private JWK would yield its public half here; jose refuses such a set, and so do we.
        if ((candidates[0] as { d?: unknown }).d !== undefined) throw new errors.JWKSInvalid('JSON Web Key Set members must be public keys');
        const key = createPublicKey({ key: candidates[0] as JsonWebKey, format: 'jwk' });
        const modulusLength = key.asymmetricKeyDetails?.modulusLength;
        // As jose: a short RSA key is the issuer's configuration fault (a TypeError), not a token problem.
        found = typeof modulusLength === 'number' && modulusLength >= 2048 ? key : new TypeError('RS256 requires key modulusLength to be 2048 bits or larger');
      } catch (error) {
        found = error instanceof Error ? error : new Error(String(error));
      }
    }
    // Bounded: only kids present in the set are worth remembering; others are refused each time.
    if (!(found instanceof errors.JWKSNoMatchingKey)) loaded.byKid.set(kid, found);
  }
  if (found instanceof Error) throw found;
  return found;
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
  let loaded: LoadedKeys | undefined;
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
    let next: LoadedKeys;
    try {
      const body = (await response.json()) as JSONWebKeySet;
      const jose = createLocalJWKSet(body);
      next = { jose, jwks: body.keys.map((jwk) => ({ ...jwk })), byKid: new Map() };
    } catch (cause) {
      throw unreachable(jwksUri, 'is not a JSON Web Key Set', cause);
    }
    loaded = next;
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

  const isFresh = (): boolean => loaded !== undefined && fetchedAt !== undefined && clock() - fetchedAt < options.maxAgeMs;

  /** One set of fetch rules for both key forms: jose's CryptoKey and node:crypto's KeyObject. */
  async function resolve<Key>(header: JWSHeaderParameters, token: FlattenedJWSInput, pick: (keys: LoadedKeys) => Key | Promise<Key>): Promise<Key> {
    // reload() joins a fetch in flight; a refetch for an unknown kid does not hold up known kids.
    if (!isFresh()) await reload();
    const seen = loaded!;
    try {
      return await pick(seen);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw error;
      // Concurrent callers share a refetch another caller started (or just finished).
      if (pending) await pending;
      else if (loaded === seen) {
        if (coolingDown()) {
          if (!issuedSinceFetch(token)) throw error;
          freshRefetchAt = clock();
        }
        await reload();
      }
      return pick(loaded!);
    }
  }

  const getKey = (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => resolve(header, token, (keys) => keys.jose(header, token));
  const rs256Key = (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<KeyObject> =>
    resolve(header, token, (keys) => selectRs256Key(keys, String(header.kid)));
  function cachedRs256Key(kid: string): KeyObject | undefined {
    if (!isFresh()) return undefined;
    const found = loaded!.byKid.get(kid);
    return found instanceof Error ? undefined : found;
  }

  const keySet = Object.defineProperties(getKey, {
    coolingDown: { get: coolingDown, enumerable: true },
    fetchedAt: { get: () => fetchedAt, enumerable: true },
    rs256Key: { value: rs256Key, enumerable: true },
    cachedRs256Key: { value: cachedRs256Key, enumerable: true },
  }) as RemoteKeySet;
  remoteKeySets.add(keySet);
  return keySet;
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
