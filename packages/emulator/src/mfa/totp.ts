import { createHmac, randomBytes } from 'node:crypto';
import { timingSafeStringEqual } from 'entrakit/internal';

/**
 * TOTP (RFC 6238 over RFC 4226 HOTP) as authenticator apps implement it: HMAC-SHA-1, 6 digits,
 * 30-second steps, the secret written in base32 (RFC 4648, no padding).
 */
export const TOTP_STEP_S = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now that still count: authenticator clocks drift and people type slowly. */
const DRIFT_STEPS = 1;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const BASE32_SECRET = /^[A-Z2-7]{16,128}$/;

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  if (!/^[A-Z2-7]*$/.test(clean)) throw new TypeError('not a base32 string');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    value = ((value << 5) | ALPHABET.indexOf(ch)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new 160-bit secret (RFC 4226 recommends the HMAC's output length), in base32. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** HOTP(K, C): dynamic truncation of HMAC-SHA-1 over the 8-byte big-endian counter. */
function hotp(key: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}

/** The code for the step that contains `timeMs`. */
export function totpCode(secret: string, timeMs: number): string {
  return hotp(base32Decode(secret), totpStep(timeMs));
}

/** The time step (counter) that contains `timeMs`. */
export function totpStep(timeMs: number): number {
  return Math.floor(timeMs / 1000 / TOTP_STEP_S);
}

/**
 * The time step whose code `code` is, among the current step and one either side; undefined when
 * none. Callers spend the step (RFC 6238 §5.2: a code is accepted once).
 */
export function matchTotpStep(secret: string, code: string, nowMs: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const key = base32Decode(secret);
  const step = totpStep(nowMs);
  let matched: number | undefined;
  // Every candidate is compared, so timing does not tell which step matched.
  for (let d = -DRIFT_STEPS; d <= DRIFT_STEPS; d++) if (timingSafeStringEqual(hotp(key, step + d), code)) matched = step + d;
  return matched;
}

/** Whether `code` is the code of the current step or of one step either side. */
export function verifyTotp(secret: string, code: string, nowMs: number): boolean {
  return matchTotpStep(secret, code, nowMs) !== undefined;
}
