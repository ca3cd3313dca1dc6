/**
 * Argument checks shared by the key-value adapters, so every adapter rejects the same misuse the
 * same way (TypeError naming the argument) and the contract suite can hold them to it.
 */
import { EntrakitError } from '../core/errors.ts';

export function checkKey(key: unknown, name = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new TypeError(`${name} must be a non-empty string`);
  }
}

export function checkValue(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError('value must be a string');
}

export function checkPrefix(prefix: unknown, name = 'prefix'): asserts prefix is string {
  if (typeof prefix !== 'string') throw new TypeError(`${name} must be a string`);
}

/** Returns the TTL in whole milliseconds (rounded up, so a value never outlives its TTL by less
 * than asked), or undefined for "no expiry" (undefined or 0, as the interface documents). */
export function normalizeTtl(ttlMs: unknown): number | undefined {
  if (ttlMs === undefined || ttlMs === 0) return undefined;
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new TypeError('ttlMs must be a finite number >= 0');
  }
  return Math.ceil(ttlMs);
}

export function checkPositiveMs(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a finite number > 0`);
  }
}

export function checkClock(clock: unknown): asserts clock is () => number {
  if (typeof clock !== 'function') throw new TypeError('clock must be a function returning milliseconds');
}

export function storeClosedError(): EntrakitError {
  return new EntrakitError('STORE_CLOSED', 'The key-value store has been closed');
}
