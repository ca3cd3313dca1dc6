/**
 * The emulator's one clock. Tests move it (`POST /_admin/clock`, or `emulator.admin.clock`) and
 * everything that judges time follows: codes, tokens, refresh tokens, device codes, SSO sessions,
 * MFA windows, Graph's expiry checks and the state store's TTLs all read `now()`.
 */
export interface AdjustableClock {
  /** Milliseconds since the epoch, as `Date.now`. */
  now: () => number;
  /** Moves time forward (or back, with a negative value) by this many milliseconds. */
  advance(ms: number): number;
  /** Jumps to this instant; time keeps running from there. */
  set(at: number): number;
  /** Back to the underlying (real) time. */
  reset(): number;
  /** Whether the clock is moved. */
  readonly adjusted: boolean;
}

export function createAdjustableClock(base: () => number = Date.now): AdjustableClock {
  let offset = 0;
  const now = () => base() + offset;
  return {
    now,
    advance(ms) {
      offset += ms;
      return now();
    },
    set(at) {
      offset = at - base();
      return now();
    },
    reset() {
      offset = 0;
      return now();
    },
    get adjusted() {
      return offset !== 0;
    },
  };
}
