import type { Principal } from '../../core/tokens/principal.ts';

export interface VerifiedToken {
  principal: Principal;
  claims: Readonly<Record<string, unknown>>;
}

/** Longest a verified token is trusted without re-verification (revoked keys stop working soon). */
export const MAX_CACHE_LIFETIME_MS = 5 * 60 * 1000;

/**
 * Bounded cache of tokens that passed full validation, keyed by the exact `Authorization` header
 * text: a hit needs the very same bytes, so a forged variant can never match (a fast
 * non-cryptographic key could). The token text is kept in memory, as it is while its request
 * runs; hashing it instead cost a measurable share of a protected request (docs/benchmarks.md). Entries live until
 * min(exp, now + 5 min); when full, the oldest entry goes first. Route requirements are NOT
 * cached: callers check them on every request.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, { value: VerifiedToken; validUntilMs: number }>();
  readonly #maxEntries: number;
  readonly #clock: () => number;

  constructor(maxEntries: number, clock: () => number) {
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  get(token: string): VerifiedToken | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (entry.validUntilMs > this.#clock()) return entry.value;
    this.#entries.delete(token);
    return undefined;
  }

  set(token: string, value: VerifiedToken, expSec: number): void {
    if (this.#maxEntries === 0) return;
    const now = this.#clock();
    const validUntilMs = Math.min(expSec * 1000, now + MAX_CACHE_LIFETIME_MS);
    if (validUntilMs <= now) return;
    this.#entries.delete(token);
    this.#entries.set(token, { value, validUntilMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
