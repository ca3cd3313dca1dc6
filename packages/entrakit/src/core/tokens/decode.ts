import { Buffer } from 'node:buffer';
import { tokenError } from './token-error.ts';

export const DEFAULT_MAX_TOKEN_BYTES = 16_384;

export interface DecodedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** The signature segment as sent (base64url); decoding does not check it. */
  signature: string;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes a compact JWS header and payload WITHOUT verifying anything: for display, and to read
 * `iss`/`kid` before verification. Never trust what this returns.
 */
export function decodeToken(token: unknown, options: { maxTokenBytes?: number } = {}): DecodedToken {
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  if (!Number.isInteger(maxTokenBytes) || maxTokenBytes <= 0) {
    throw new TypeError('decodeToken: "maxTokenBytes" must be a positive integer');
  }
  if (typeof token !== 'string' || token.length === 0) {
    throw tokenError('TOKEN_MALFORMED', 'Token must be a non-empty string', { details: { reason: 'not_a_string' } });
  }
  // Length first so a huge string is refused without scanning it.
  if (token.length > maxTokenBytes || Buffer.byteLength(token, 'utf8') > maxTokenBytes) {
    throw tokenError('TOKEN_TOO_LARGE', `Token is larger than ${maxTokenBytes} bytes`, {
      details: { maxTokenBytes },
    });
  }
  const segments = token.split('.');
  if (segments.length === 5) {
    throw tokenError('TOKEN_MALFORMED', 'Token is an encrypted JWE (5 segments); only signed JWTs are supported', {
      details: { reason: 'segments', segments: 5 },
    });
  }
  if (segments.length !== 3) {
    throw tokenError('TOKEN_MALFORMED', `Token must have 3 dot-separated segments, found ${segments.length}`, {
      details: { reason: 'segments', segments: segments.length },
    });
  }
  const [headerPart = '', payloadPart = '', signature = ''] = segments;
  return {
    header: decodeJsonSegment(headerPart, 'header'),
    payload: decodeJsonSegment(payloadPart, 'payload'),
    // An empty signature (alg "none") still decodes, so callers can show it and refuse it by alg.
    signature: signature === '' ? '' : checkBase64url(signature, 'signature'),
  };
}

function checkBase64url(segment: string, name: string): string {
  // Buffer's decoder silently skips bad characters, so the alphabet is checked first.
  // A length of 1 mod 4 cannot come from any byte string.
  if (segment === '' || !BASE64URL.test(segment) || segment.length % 4 === 1) {
    throw tokenError('TOKEN_MALFORMED', `Token ${name} is not valid base64url`, {
      details: { reason: 'base64url', segment: name },
    });
  }
  return segment;
}

function decodeJsonSegment(segment: string, name: 'header' | 'payload'): Record<string, unknown> {
  const bytes = Buffer.from(checkBase64url(segment, name), 'base64url');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw tokenError('TOKEN_MALFORMED', `Token ${name} is not valid JSON`, { details: { reason: 'json', segment: name } });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw tokenError('TOKEN_MALFORMED', `Token ${name} is not a JSON object`, { details: { reason: 'json', segment: name } });
  }
  return parsed as Record<string, unknown>;
}
