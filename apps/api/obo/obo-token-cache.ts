import { createHash } from 'node:crypto';

export interface OboToken {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresOnTimestamp: number;
  /** When the exchange happened (ms): older than the request means the token came from this cache. */
  exchangedAt?: number;
}

/** Tokens are renewed this long before they expire, so a downstream call never races expiry. */
export const OBO_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * Downstream tokens per incoming assertion: a bounded LRU keyed by SHA-256 of the assertion and
 * the scopes (no token is used as a key), plus in-flight de-duplication so concurrent requests
 * with one assertion make a single On-Behalf-Of call.
 */
export class OboTokenCache {
  readonly #entries = new Map<string, OboToken>();
  readonly #inFlight = new Map<string, Promise<OboToken>>();
  readonly #maxEntries: number;
  readonly #clock: () => number;

  constructor(maxEntries: number, clock: () => number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new TypeError('OboTokenCache: "maxEntries" must be a non-negative integer');
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  static keyFor(assertion: string, scopes: readonly string[]): string {
    return createHash('sha256').update(assertion).update('\n').update([...scopes].sort().join(' ')).digest('base64url');
  }

  /** The cached token for `key`, or the result of `acquire` (shared by concurrent callers). */
  async getOrAcquire(key: string, acquire: () => Promise<OboToken>): Promise<OboToken> {
    const cached = this.#get(key);
    if (cached) return cached;
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const started = acquire()
      .then((token) => {
        this.#set(key, token);
        return token;
      })
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, started);
    return started;
  }

  get size(): number {
    return this.#entries.size;
  }

  #get(key: string): OboToken | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresOnTimestamp - OBO_REFRESH_MARGIN_MS <= this.#clock()) return undefined;
    this.#entries.set(key, entry); // most recently used last
    return entry;
  }

  #set(key: string, token: OboToken): void {
    if (this.#maxEntries === 0 || token.expiresOnTimestamp - OBO_REFRESH_MARGIN_MS <= this.#clock()) return;
    this.#entries.delete(key);
    this.#entries.set(key, token);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }
}
