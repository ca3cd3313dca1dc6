import { createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** 256 random bits, base64url: state, nonce, session ids, browser bindings and CSRF tokens. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A base64url token as randomToken() makes them (anything else in a cookie is ignored). */
export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The secret as a KeyObject, made once per secret: building one on every HMAC shows in profiles. */
const keyObjects = new WeakMap<Uint8Array, KeyObject>();

/** HMAC-SHA256 of labelled parts, base64url: keys derived from the app's secret never collide across purposes. */
export function keyedHash(secret: Uint8Array, label: string, ...parts: string[]): string {
  let key = keyObjects.get(secret);
  if (!key) keyObjects.set(secret, (key = createSecretKey(secret)));
  const mac = createHmac('sha256', key).update(`entrakit ${label}\0`);
  for (const part of parts) mac.update(part).update('\0');
  return mac.digest('base64url');
}

/** A PKCE pair (RFC 7636, S256): a 256-bit verifier and its SHA-256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomToken();
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
