import { createHmac, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: state, nonce, session ids, browser bindings and CSRF tokens. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A base64url token as randomToken() makes them (anything else in a cookie is ignored). */
export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** HMAC-SHA256 of labelled parts, base64url: keys derived from the app's secret never collide across purposes. */
export function keyedHash(secret: Uint8Array, label: string, ...parts: string[]): string {
  const mac = createHmac('sha256', secret).update(`entrakit ${label}\0`);
  for (const part of parts) mac.update(part).update('\0');
  return mac.digest('base64url');
}
