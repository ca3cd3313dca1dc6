/**
 * The "break it" lab: the signed-in user's own API token, altered on the server in the ways
 * attackers try, each sent to the API. The real token never reaches the browser: only the altered
 * claims and the API's answers do. A tampered token is only as dangerous as the API's validation
 * is weak; the page shows what a decode-only ("naive") validator would have believed.
 */
import { createHmac, createPublicKey } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';

export interface LabTokens {
  /** The user's access token for the API (v2, aud = the API). */
  accessToken: string;
  /** The user's ID token (aud = this web app): validly signed, but not an access token. */
  idToken?: string;
  /** The user's Graph token: validly signed, for another audience. */
  graphToken?: string;
  /** The identity provider's published keys (JWKS), for the "HS256 with the public key" attack. */
  jwks: { keys: JsonWebKey[] };
  /** Seconds since the epoch. */
  nowSec: number;
}

export interface Tampering {
  id: string;
  title: string;
  /** What was changed, in words. */
  change: string;
  /** The check an API must have to refuse it. */
  defence: string;
  token: string;
}

type Parts = { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string };

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function split(token: string): Parts {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
    signature,
  };
}

/** Re-encodes header and payload, keeping the original signature (which no longer matches). */
function reassemble(parts: Parts): string {
  return `${b64(parts.header)}.${b64(parts.payload)}.${parts.signature}`;
}

function withClaims(token: string, changes: Record<string, unknown>): string {
  const parts = split(token);
  return reassemble({ ...parts, payload: { ...parts.payload, ...changes } });
}

/** Flips bits in the middle of the signature: header and claims untouched. */
function alterSignature(token: string): string {
  const parts = split(token);
  const bytes = Buffer.from(parts.signature, 'base64url');
  const middle = bytes.length >> 1;
  bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
  return `${token.split('.').slice(0, 2).join('.')}.${bytes.toString('base64url')}`;
}

/** The classic key-confusion attack: HMAC-SHA256 keyed with the RSA public key (PEM), which anyone can download. */
function hs256WithPublicKey(token: string, jwks: LabTokens['jwks']): string {
  const parts = split(token);
  const jwk = jwks.keys.find((key) => (key as { kid?: unknown }).kid === parts.header['kid']) ?? jwks.keys[0];
  if (!jwk) throw new Error('the JWKS has no keys');
  const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const input = `${b64({ ...parts.header, alg: 'HS256' })}.${b64(parts.payload)}`;
  return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
}

export function tamperings(tokens: LabTokens): Tampering[] {
  const { accessToken, nowSec } = tokens;
  const original = split(accessToken);
  const list: Tampering[] = [
    { id: 'original', title: 'The real token (control)', change: 'Nothing: your API token as issued.', defence: 'Accepted: every check passes.', token: accessToken },
    {
      id: 'aud',
      title: 'Audience changed',
      change: `aud set to "https://graph.microsoft.com" (was "${String(original.payload['aud'])}").`,
      defence: 'Signature: any change to a claim breaks it; the audience check would refuse it too.',
      token: withClaims(accessToken, { aud: 'https://graph.microsoft.com' }),
    },
    {
      id: 'iss',
      title: 'Issuer changed',
      change: 'iss set to "https://evil.example/tenant/v2.0".',
      defence: 'Issuer: not the issuer named in discovery (checked before the keys are even chosen).',
      token: withClaims(accessToken, { iss: 'https://evil.example/tenant/v2.0' }),
    },
    {
      id: 'exp',
      title: 'Expiry pushed out',
      change: 'exp set one year ahead, so a stolen token lives longer.',
      defence: 'Signature: exp is signed like every other claim.',
      token: withClaims(accessToken, { exp: nowSec + 365 * 86_400 }),
    },
    {
      id: 'expired',
      title: 'Expiry in the past',
      change: 'exp set one hour ago.',
      defence: 'Signature first; an untampered expired token fails the lifetime check.',
      token: withClaims(accessToken, { exp: nowSec - 3600, nbf: nowSec - 7200, iat: nowSec - 7200 }),
    },
    {
      id: 'scp',
      title: 'Scope widened',
      change: 'scp set to "user_impersonation Api.Admin Directory.ReadWrite.All".',
      defence: 'Signature: scopes are what the user consented to, signed by the identity provider.',
      token: withClaims(accessToken, { scp: 'user_impersonation Api.Admin Directory.ReadWrite.All' }),
    },
    {
      id: 'oid',
      title: 'Someone else\'s identity',
      change: 'oid set to another user\'s object id, roles set to ["Api.Admin"].',
      defence: 'Signature: the user id cannot be swapped without the identity provider\'s private key.',
      token: withClaims(accessToken, { oid: '00000000-0000-0000-0000-00000000beef', roles: ['Api.Admin'] }),
    },
    { id: 'signature', title: 'Signature altered', change: 'One byte of the signature flipped; header and claims untouched.', defence: 'Signature: RS256 verification with the published key fails.', token: alterSignature(accessToken) },
    {
      id: 'alg-none',
      title: 'alg "none" (unsigned)',
      change: 'Header alg set to "none", signature removed.',
      defence: 'Algorithm allow-list: only RS256 is accepted, never "none".',
      token: `${b64({ ...original.header, alg: 'none' })}.${b64(original.payload)}.`,
    },
    {
      id: 'hs256',
      title: 'HS256 signed with the public key',
      change: 'Header alg set to HS256 and the token HMAC-signed with the identity provider\'s public key (anyone can download it).',
      defence: 'Algorithm allow-list: a validator that lets the token choose the algorithm would verify this HMAC with the "key" and accept it.',
      token: hs256WithPublicKey(accessToken, tokens.jwks),
    },
    {
      id: 'kid',
      title: 'Key id that does not exist',
      change: 'Header kid set to "attacker-key".',
      defence: 'Keys come only from the JWKS named in discovery; an unknown kid is refused (after one refresh of the key set).',
      token: reassemble({ ...original, header: { ...original.header, kid: 'attacker-key' } }),
    },
  ];
  if (tokens.idToken) {
    list.push({
      id: 'id-token',
      title: 'ID token instead of an access token',
      change: 'Your real, validly signed ID token, sent as a bearer token.',
      defence: 'Audience: an ID token is addressed to the web app (its client id), never to the API.',
      token: tokens.idToken,
    });
  }
  if (tokens.graphToken) {
    list.push({
      id: 'graph-token',
      title: 'A token for another API (Graph)',
      change: 'Your real Microsoft Graph access token, sent to this API.',
      defence: 'Audience: it is addressed to Graph. Forwarding tokens between APIs is what audience checks stop.',
      token: tokens.graphToken,
    });
  }
  return list;
}

/** What a validator that only decodes (no signature, no checks) would have believed. */
export interface NaiveVerdict {
  accepted: boolean;
  claims: Record<string, unknown>;
  note: string;
}

export function naiveDecode(token: string): NaiveVerdict {
  try {
    const { header, payload } = split(token);
    const claims = pick(payload, ['aud', 'iss', 'scp', 'roles', 'oid', 'exp']);
    return { accepted: true, claims, note: `Decoded without verification: it would trust these claims (alg ${String(header['alg'])}).` };
  } catch {
    return { accepted: false, claims: {}, note: 'Not decodable.' };
  }
}

function pick(source: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => source[name] !== undefined).map((name) => [name, source[name]]));
}

/** The claims of a tampered token, for display (the header and payload only: never the signature). */
export function shownClaims(token: string): { header: Record<string, unknown>; changed: Record<string, unknown> } {
  const { header, payload } = split(token);
  return { header, changed: pick(payload, ['aud', 'iss', 'exp', 'scp', 'roles', 'oid']) };
}
