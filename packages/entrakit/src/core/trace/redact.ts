/**
 * Redaction rules for protocol traces. Secrets, codes and refresh tokens are replaced; JWTs are
 * replaced by a description (algorithm, key id, claim count) so no signature or usable token is
 * ever kept; one-time values (PKCE verifier) keep a short prefix so a reader can match them up.
 */
import { Buffer } from 'node:buffer';
import { decodeToken } from '../tokens/decode.ts';
import { PARAM_NOTES } from './param-notes.ts';
import type { TraceField } from './types.ts';

const SECRET_FIELDS = new Set(['client_secret', 'password', 'clientsecret']);
const JWT_FIELDS = new Set(['id_token', 'access_token', 'assertion', 'id_token_hint', 'client_assertion']);
const MAX_VALUE_CHARS = 400;

/** First `keep` characters and an ellipsis: enough to correlate, useless to an attacker. */
export function prefixOnly(value: string, keep = 4): string {
  return value.length <= keep ? '…' : `${value.slice(0, keep)}…`;
}

/** A JWT as a one-line description; the token itself (and its signature) is not kept. */
export function describeJwt(token: string, label = 'JWT'): string {
  try {
    const { header, payload } = decodeToken(token, { maxTokenBytes: 65_536 });
    const parts = [`${label}, alg ${String(header['alg'])}`];
    if (typeof header['kid'] === 'string') parts.push(`kid ${header['kid']}`);
    if (payload['aud'] !== undefined) parts.push(`aud ${String(payload['aud'])}`);
    parts.push(`${Object.keys(payload).length} claims`, 'signature redacted');
    return `[${parts.join(', ')}]`;
  } catch {
    return `[${label} redacted]`;
  }
}

/** The value of one protocol parameter (query, form or JSON field), redacted by its name. */
export function redactField(name: string, raw: unknown): TraceField {
  const field = redactByName(name, raw);
  const note = field.note ?? (Object.hasOwn(PARAM_NOTES, name) ? PARAM_NOTES[name] : undefined);
  return note === undefined ? field : { ...field, note };
}

function redactByName(name: string, raw: unknown): TraceField {
  const value = typeof raw === 'string' ? raw : JSON.stringify(raw) ?? String(raw);
  const key = name.toLowerCase();
  if (SECRET_FIELDS.has(key)) return { name, value: '[redacted]', note: 'client credential, never shown' };
  if (key === 'client_assertion') return { name, value: describeJwt(value, 'signed client assertion'), note: 'proves the app holds its certificate key' };
  if (JWT_FIELDS.has(key)) return { name, value: describeJwt(value, key) };
  if (key === 'refresh_token') return { name, value: `[refresh token redacted, ${value.length} characters]` };
  if (key === 'code') return { name, value: '[authorization code redacted]', note: 'single use, short-lived' };
  if (key === 'code_verifier') return { name, value: prefixOnly(value), note: 'PKCE verifier: the secret half, sent only to the token endpoint' };
  if (key === 'state' || key === 'nonce') return { name, value: prefixOnly(value, 8), note: 'one-time random value, shortened' };
  if (key === 'client_info' && value === '1') return { name, value, note: 'asks for client_info (uid, utid) in the token response' };
  if (key === 'client_info') return { name, value: decodeClientInfo(value), note: 'MSAL builds the account id uid.utid from it' };
  return { name, value: value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value };
}

export function redactFields(entries: Iterable<[string, unknown]>): TraceField[] {
  return [...entries].map(([name, value]) => redactField(name, value));
}

/** The URL with each query value redacted by the same rules (no query values are dropped silently). */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return '[unparseable URL]';
  const parsed = new URL(url);
  const redacted = new URLSearchParams();
  for (const { name, value } of redactFields(parsed.searchParams.entries())) redacted.append(name, value);
  parsed.search = redacted.toString();
  parsed.hash = '';
  try {
    return decodeURI(parsed.toString());
  } catch {
    return parsed.toString();
  }
}

function decodeClientInfo(value: string): string {
  try {
    const text = Buffer.from(value, 'base64url').toString('utf8');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return JSON.stringify({ uid: parsed['uid'], utid: parsed['utid'] });
  } catch {
    return '[unreadable client_info]';
  }
}
