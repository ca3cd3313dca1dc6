import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares secrets without leaking, through timing, how long a matching prefix is or the length. */
export function timingSafeStringEqual(a: string, b: string): boolean {
  const digestA = createHash('sha256').update(a, 'utf8').digest();
  const digestB = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(digestA, digestB);
}
