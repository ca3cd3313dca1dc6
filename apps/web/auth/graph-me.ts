import { EntrakitError } from 'entrakit';
import { claimsChallengeError, readClaimsChallenge } from './claims-challenge.ts';

export interface GraphMe {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
  mail: string | null;
  jobTitle: string | null;
}

const SELECT = 'id,displayName,userPrincipalName,mail,jobTitle';

/** GET /v1.0/me with the user's Graph token. */
export async function fetchGraphMe(fetchImpl: typeof fetch, graphBaseUrl: string, accessToken: string): Promise<GraphMe> {
  let response: Response;
  try {
    response = await fetchImpl(`${graphBaseUrl}/me?$select=${SELECT}`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (cause) {
    throw new EntrakitError('GRAPH_UNREACHABLE', `Microsoft Graph at ${graphBaseUrl} could not be reached`, { status: 502, cause });
  }
  // CAE: after revokeSignInSessions Graph refuses a CP1 token with a claims challenge.
  const claims = readClaimsChallenge(response);
  if (claims !== undefined) throw claimsChallengeError('Microsoft Graph', claims);
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!response.ok || !body || typeof body['id'] !== 'string') {
    const graphError = body?.['error'] as { code?: unknown } | undefined;
    throw new EntrakitError('GRAPH_REQUEST_FAILED', `Microsoft Graph answered HTTP ${response.status}`, {
      status: 502,
      details: { status: response.status, graphCode: typeof graphError?.code === 'string' ? graphError.code : undefined },
    });
  }
  const text = (name: string): string | null => (typeof body[name] === 'string' ? (body[name] as string) : null);
  return { id: body['id'], displayName: text('displayName'), userPrincipalName: text('userPrincipalName'), mail: text('mail'), jobTitle: text('jobTitle') };
}
