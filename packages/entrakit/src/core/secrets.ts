import { createHash, timingSafeEqual } from 'node:crypto';

/** Base64url SHA-256: storage keys for codes, refresh tokens and assertion ids, and verifiers. */
export function sha256Base64Url(value: string | Uint8Array): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Compares secrets without leaking, through timing, how long a matching prefix is or the length. */
export function timingSafeStringEqual(a: string, b: string): boolean {
  const digestA = createHash('sha256').update(a, 'utf8').digest();
  const digestB = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(digestA, digestB);
}
