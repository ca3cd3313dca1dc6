import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time equality for secrets of any length (both sides hashed to 32 bytes first). */
export function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}
