import { hash } from 'node:crypto';
import type { Principal } from '../../core/tokens/principal.ts';

export interface VerifiedToken {
  principal: Principal;
  claims: Readonly<Record<string, unknown>>;
}

/** Longest a verified token is trusted without re-verification (revoked keys stop working soon). */
export const MAX_CACHE_LIFETIME_MS = 5 * 60 * 1000;

/**
 * Bounded LRU of tokens that passed full validation, keyed by their SHA-256 so no token is kept.
 * Entries live until min(exp, now + 5 min). Route requirements are NOT cached: callers check them
 * on every request.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, { value: VerifiedToken; validUntilMs: number }>();
  readonly #maxEntries: number;
  readonly #clock: () => number;

  constructor(maxEntries: number, clock: () => number) {
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  static keyFor(token: string): string {
    return hash('sha256', token, 'base64url');
  }

  get(key: string): VerifiedToken | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.validUntilMs <= this.#clock()) return undefined;
    this.#entries.set(key, entry); // most recently used goes to the end
    return entry.value;
  }

  set(key: string, value: VerifiedToken, expSec: number): void {
    if (this.#maxEntries === 0) return;
    const now = this.#clock();
    const validUntilMs = Math.min(expSec * 1000, now + MAX_CACHE_LIFETIME_MS);
    if (validUntilMs <= now) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, validUntilMs });
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
