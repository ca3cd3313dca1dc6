import { createHmac, randomBytes } from 'node:crypto';
import { timingSafeStringEqual } from 'entrakit/internal';

/** Opaque random identifier (base64url), 256 bits unless told otherwise. */
export function randomId(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** HMAC-SHA256 with a purpose label, so a MAC made for one use never verifies for another. */
export function mac(secret: Uint8Array, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(`${purpose}\0${value}`).digest('base64url');
}

/** `value.mac`; the value must not contain a dot. */
export function signValue(secret: Uint8Array, purpose: string, value: string): string {
  return `${value}.${mac(secret, purpose, value)}`;
}

/** The value of a `value.mac` string, or undefined when the MAC does not verify. */
export function verifySignedValue(secret: Uint8Array, purpose: string, signed: string | undefined): string | undefined {
  if (!signed || signed.length > 512) return undefined;
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const value = signed.slice(0, dot);
  return timingSafeStringEqual(signed.slice(dot + 1), mac(secret, purpose, value)) ? value : undefined;
}
