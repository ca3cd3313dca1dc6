import { randomBytesFromPool } from './identifiers.ts';
import { CompactSign, type JWTPayload } from 'jose';
import type { KeyRing } from '../keys/signing-keys.ts';
import { sha256Base64Url } from 'entrakit/internal';

export interface SignOptions {
  /** v1 access tokens repeat the key id as `x5t`, as Entra's do. */
  x5t?: boolean;
  /**
   * Microsoft Graph tokens carry a header `nonce`; the signature covers the SHA-256 of that nonce
   * instead, so only Graph (which knows the trick) can verify them, as in Entra.
   */
  graphNonce?: boolean;
}

const encoder = new TextEncoder();
const b64uJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const hashNonce = sha256Base64Url;

/** Signs claims with the active key: header `{typ:'JWT', alg:'RS256', kid}` (+ x5t, nonce). */
export async function signToken(keys: KeyRing, claims: JWTPayload, options: SignOptions = {}): Promise<string> {
  const { kid, privateKey } = await keys.activeKey(typeof claims['tid'] === 'string' ? claims['tid'] : undefined);
  const nonce = options.graphNonce ? randomBytesFromPool(32).toString('base64url') : undefined;
  const header = {
    typ: 'JWT',
    ...(nonce ? { nonce: hashNonce(nonce) } : {}),
    alg: 'RS256',
    ...(options.x5t ? { x5t: kid } : {}),
    kid,
  };
  // CompactSign over our own JSON: the claims are built here, so SignJWT's defensive copy and
  // claim checks would only repeat work on the token endpoint's hot path.
  const signed = await new CompactSign(encoder.encode(JSON.stringify(claims))).setProtectedHeader(header).sign(privateKey);
  if (!nonce) return signed;
  const [, payload, signature] = signed.split('.');
  return `${b64uJson({ ...header, nonce })}.${payload}.${signature}`;
}

/**
 * The form of a Graph token whose signature verifies: the header `nonce` replaced by its SHA-256
 * (base64url). Graph-side validators call this before jwtVerify; tokens without a nonce pass through.
 */
export function graphTokenSigningForm(token: string): string {
  const parts = token.split('.');
  if (parts.length !== 3) return token;
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return token;
  }
  if (typeof header !== 'object' || header === null || typeof header['nonce'] !== 'string') return token;
  return `${b64uJson({ ...header, nonce: hashNonce(header['nonce']) })}.${parts[1]}.${parts[2]}`;
}
