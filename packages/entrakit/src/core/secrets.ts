import { hash, timingSafeEqual } from 'node:crypto';

/** Base64url SHA-256: storage keys for codes, refresh tokens and assertion ids, and verifiers. */
export function sha256Base64Url(value: string | Uint8Array): string {
  // One-shot hash: no Hash object per call (this runs several times per token request).
  return hash('sha256', value, 'base64url');
}

/** Compares secrets without leaking, through timing, how long a matching prefix is or the length. */
export function timingSafeStringEqual(a: string, b: string): boolean {
  const digestA = hash('sha256', a, 'buffer');
  const digestB = hash('sha256', b, 'buffer');
  return timingSafeEqual(digestA, digestB);
}
