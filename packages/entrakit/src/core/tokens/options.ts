import type { JWTVerifyGetKey } from 'jose';
import { DEFAULT_MAX_TOKEN_BYTES } from './decode.ts';

export const DEFAULT_CLOCK_SKEW_SEC = 300;

/** Shared checks for the validators' common options; misuse is a TypeError naming the option. */
export function commonOptions(
  fn: string,
  options: { clockSkewSec?: number; clock?: () => number; maxTokenBytes?: number },
): { clockSkewSec: number; clock: () => number; maxTokenBytes: number } {
  const clockSkewSec = options.clockSkewSec ?? DEFAULT_CLOCK_SKEW_SEC;
  if (!Number.isFinite(clockSkewSec) || clockSkewSec < 0) {
    throw new TypeError(`${fn}: "clockSkewSec" must be a non-negative number`);
  }
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError(`${fn}: "clock" must be a function returning milliseconds`);
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  if (!Number.isInteger(maxTokenBytes) || maxTokenBytes <= 0) {
    throw new TypeError(`${fn}: "maxTokenBytes" must be a positive integer`);
  }
  return { clockSkewSec, clock, maxTokenBytes };
}

export function requireString(fn: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${fn}: "${name}" must be a non-empty string`);
  return value;
}

export function requireKeySet(fn: string, name: string, value: unknown): JWTVerifyGetKey {
  if (typeof value !== 'function') throw new TypeError(`${fn}: "${name}" must be a jose key-set function`);
  return value as JWTVerifyGetKey;
}

export function optionalStringList(fn: string, name: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new TypeError(`${fn}: "${name}" must be an array of non-empty strings`);
  }
  return value as string[];
}

/** `aud` as a list, or undefined when it is neither a string nor an array of strings. */
export function audienceList(aud: unknown): string[] | undefined {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((item) => typeof item === 'string')) return aud as string[];
  return undefined;
}
