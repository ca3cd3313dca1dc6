/**
 * Claims challenges (learn.microsoft.com/entra/identity-platform/claims-challenge): an API or Graph
 * answers 401 with `WWW-Authenticate: Bearer ..., error="insufficient_claims", claims="<base64>"`
 * when the token lacks an authentication context (step-up) or predates a critical event such as
 * revokeSignInSessions (CAE; only for clients that declared CP1).
 */
import { Buffer } from 'node:buffer';

const MAX_CLAIMS_CHARS = 2048;

/** The claims request when `json` is one (a JSON object of object `access_token` / `id_token` members), normalised. */
export function validClaimsRequest(json: string): string | undefined {
  if (json.length === 0 || json.length > MAX_CLAIMS_CHARS) return undefined;
  try {
    const value = JSON.parse(json) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const members = Object.entries(value as Record<string, unknown>);
    const ok = members.length > 0 && members.every(([k, v]) => (k === 'access_token' || k === 'id_token') && typeof v === 'object' && v !== null && !Array.isArray(v));
    return ok ? JSON.stringify(value) : undefined;
  } catch {
    return undefined;
  }
}

/** The claims request of an `insufficient_claims` challenge, or undefined for any other answer. */
export function readClaimsChallenge(response: Pick<Response, 'status' | 'headers'>): string | undefined {
  if (response.status !== 401) return undefined;
  const header = response.headers.get('www-authenticate') ?? '';
  if (!/^Bearer\b/i.test(header) || !/\berror="insufficient_claims"/.test(header)) return undefined;
  const encoded = /\bclaims="([A-Za-z0-9+/=_-]{1,4096})"/.exec(header)?.[1];
  if (!encoded) return undefined;
  return validClaimsRequest(Buffer.from(encoded, 'base64').toString('utf8'));
}

/** The claims request asking for an authentication context (step-up), as Entra phrases it. */
export function authContextClaims(id: string): string {
  return JSON.stringify({ access_token: { acrs: { essential: true, value: id } } });
}
