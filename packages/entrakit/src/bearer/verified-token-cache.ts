import type { Principal } from '../core/tokens/principal.ts';

export interface VerifiedToken {
  principal: Principal;
  claims: Readonly<Record<string, unknown>>;
}

/** Longest a verified token is trusted without re-verification (revoked keys stop working soon). */
export const MAX_CACHE_LIFETIME_MS = 5 * 60 * 1000;

/**
 * Characters at the end of the header that index the cache. For a JWT they are the end of its
 * signature (unpredictable to anyone without the token); shorter headers are their own key.
 */
export const CACHE_INDEX_CHARS = 32;

interface Entry {
  /** The exact header that was validated: a lookup must present the very same text. */
  header: string;
  value: VerifiedToken;
  validUntilMs: number;
}

/**
 * Bounded cache of tokens that passed full validation, matched on the exact `Authorization`
 * header text: a hit needs the very same bytes, so a forged variant can never match. Entries are
 * found by the header's last CACHE_INDEX_CHARS characters and then compared in full: hashing the
 * whole ~1.5 KB header for the lookup cost more than the rest of the check
 * (docs/benchmarks.md). Two validated headers ending alike (`Bearer t` and `bearer t`) share a
 * slot, the newer one wins; the other one is simply validated again. The token text is kept in
 * memory, as it is while its request runs. Entries live until min(exp, now + 5 min), and expired
 * ones are dropped as new ones arrive; when full, the oldest entry goes first. Route requirements are NOT cached: callers check them on every
 * request.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #clock: () => number;

  constructor(maxEntries: number, clock: () => number) {
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  get(header: string): VerifiedToken | undefined {
    const index = indexOf(header);
    const entry = this.#entries.get(index);
    if (!entry || entry.header !== header) return undefined;
    if (entry.validUntilMs > this.#clock()) return entry.value;
    this.#entries.delete(index);
    return undefined;
  }

  set(header: string, value: VerifiedToken, expSec: number): void {
    if (this.#maxEntries === 0) return;
    const now = this.#clock();
    const validUntilMs = Math.min(expSec * 1000, now + MAX_CACHE_LIFETIME_MS);
    if (validUntilMs <= now) return;
    const index = indexOf(header);
    this.#entries.delete(index);
    this.#entries.set(index, { header, value, validUntilMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    // Entries are kept in the order they were validated, so expired ones gather at the front:
    // dropping up to two per write keeps the cache to the tokens of the last few minutes (about
    // 2 KB each) instead of holding maxEntries until evicted.
    for (let i = 0; i < 2; i += 1) {
      const first = this.#entries.entries().next();
      if (first.done || first.value[1].validUntilMs > now) break;
      this.#entries.delete(first.value[0]);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

function indexOf(header: string): string {
  return header.length <= CACHE_INDEX_CHARS ? header : header.slice(-CACHE_INDEX_CHARS);
}
