/** Sends each tampered token to the API and records exactly how the API answered. */
import { naiveDecode, shownClaims, tamperings } from './tamper.ts';
import type { LabTokens, NaiveVerdict } from './tamper.ts';

export interface LabResult {
  id: string;
  title: string;
  change: string;
  defence: string;
  /** Header and the interesting claims of the token sent (never the token or its signature). */
  sent: { header: Record<string, unknown>; changed: Record<string, unknown> };
  api: { status: number; wwwAuthenticate: string | null; error: string | null; description: string | null; check: string };
  naive: NaiveVerdict;
}

/** Which validation step refused the token, read from the API's RFC 6750 error description. */
const CHECKS: Array<[RegExp, string]> = [
  [/ID token/, 'token type (ID token, not access token)'],
  [/Graph token|not a token for this API/i, 'audience'],
  [/signature/i, 'signature'],
  [/algorithm|alg\b/i, 'algorithm allow-list'],
  [/signing key|kid|key id|key .*not found/i, 'signing key (kid)'],
  [/issuer/i, 'issuer'],
  [/audience/i, 'audience'],
  [/expired|lifetime|not (yet )?valid/i, 'lifetime (exp/nbf)'],
  [/scope|role|permission/i, 'scope / roles'],
  [/tenant/i, 'tenant'],
  [/malformed|not a (valid|well-formed)|JWT/i, 'format'],
];

export function failedCheck(status: number, description: string | null): string {
  if (status === 200) return 'none: accepted';
  for (const [pattern, check] of CHECKS) if (description && pattern.test(description)) return check;
  return 'other';
}

export async function runTamperLab(options: { tokens: LabTokens; apiUrl: string; fetch: typeof fetch }): Promise<LabResult[]> {
  const results: LabResult[] = [];
  for (const tampering of tamperings(options.tokens)) {
    const response = await options.fetch(`${options.apiUrl}/api/me`, {
      headers: { authorization: `Bearer ${tampering.token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json().catch(() => ({}))) as { error?: unknown; error_description?: unknown };
    const description = typeof body.error_description === 'string' ? body.error_description : null;
    results.push({
      id: tampering.id,
      title: tampering.title,
      change: tampering.change,
      defence: tampering.defence,
      sent: shownClaims(tampering.token),
      api: {
        status: response.status,
        wwwAuthenticate: response.headers.get('www-authenticate'),
        error: typeof body.error === 'string' ? body.error : null,
        description,
        check: failedCheck(response.status, description),
      },
      naive: naiveDecode(tampering.token),
    });
  }
  return results;
}
