/**
 * The emulator's behaviour switches. Each is an option of startEmulator and an environment
 * variable (the option wins); every value is checked at start and a bad one stops the emulator
 * with a message naming the setting.
 */
export interface EmulatorSwitches {
  /**
   * A redeemed refresh token coming back: 'allow' (default, Entra's rule: it stays usable until it
   * expires) or 'revoke-family' (strict reuse detection, RFC 9700: the whole sign-in's tokens stop).
   */
  refreshTokenReuse: 'allow' | 'revoke-family';
  /** 'allow' (default, as Entra: the same client assertion may be re-sent until it expires) or 'reject' (jti single use). */
  assertionReplay: 'allow' | 'reject';
  /** 'entra' (default: PKCE required for SPA redirect URIs only, as Entra) or 'always'. */
  requirePkce: 'entra' | 'always';
  /** Seconds a rotated-in signing key is published in the JWKS before it signs anything. */
  keyLeadTimeSec: number;
}

export const SWITCH_ENV = {
  refreshTokenReuse: 'ENTRAKIT_EMULATOR_REFRESH_REUSE',
  assertionReplay: 'ENTRAKIT_EMULATOR_ASSERTION_REPLAY',
  requirePkce: 'ENTRAKIT_EMULATOR_REQUIRE_PKCE',
  keyLeadTimeSec: 'ENTRAKIT_EMULATOR_KEY_LEAD_SEC',
} as const;

/** A few seconds: long enough to show that clients refresh their JWKS, short enough for development. */
export const DEFAULT_KEY_LEAD_SEC = 5;
const MAX_KEY_LEAD_SEC = 86_400;

function choice<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new TypeError(`${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as T;
}

function seconds(name: string, value: unknown, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0 || number > MAX_KEY_LEAD_SEC) {
    throw new TypeError(`${name} must be a whole number of seconds from 0 to ${MAX_KEY_LEAD_SEC} (got ${JSON.stringify(value)})`);
  }
  return number;
}

/** Options first, then the environment, then the defaults; throws a TypeError naming a bad setting. */
export function resolveSwitches(options: Partial<EmulatorSwitches> = {}, env: Record<string, string | undefined> = process.env): EmulatorSwitches {
  const pick = <K extends keyof EmulatorSwitches>(key: K): { name: string; value: unknown } =>
    options[key] !== undefined ? { name: `the ${key} option`, value: options[key] } : { name: SWITCH_ENV[key], value: env[SWITCH_ENV[key]] };
  const reuse = pick('refreshTokenReuse');
  const replay = pick('assertionReplay');
  const pkce = pick('requirePkce');
  const lead = pick('keyLeadTimeSec');
  return {
    refreshTokenReuse: choice(reuse.name, reuse.value, ['allow', 'revoke-family'], 'allow'),
    assertionReplay: choice(replay.name, replay.value, ['allow', 'reject'], 'allow'),
    requirePkce: choice(pkce.name, pkce.value, ['entra', 'always'], 'entra'),
    keyLeadTimeSec: seconds(lead.name, lead.value, DEFAULT_KEY_LEAD_SEC),
  };
}
