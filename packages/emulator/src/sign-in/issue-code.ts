import type { EmulatorDeps } from '../deps.ts';
import { codeKey, type AuthorizationCodeRecord } from '../protocol/authorization-code.ts';
import { effectiveLifetimes } from '../tokens/lifetimes.ts';
import type { AuthorizeRequest } from './authorize-request.ts';
import { randomId } from './signing.ts';

const EXPIRED_CODE_MEMORY_MS = 10 * 60_000;
import type { SsoSession } from './sso-session.ts';

/** Stores the code record for the token endpoint (single use, by hash) and returns the 256-bit code. */
export async function issueAuthorizationCode(deps: Pick<EmulatorDeps, 'state' | 'clock' | 'directory'>, request: AuthorizeRequest, session: SsoSession): Promise<string> {
  const code = randomId(32);
  const record: AuthorizationCodeRecord = {
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    tenantId: session.tenantId,
    userId: session.userId,
    scope: request.scope,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: 'S256',
    sid: session.sid,
    authTime: session.authTime,
    amr: session.amr,
    issuedAt: deps.clock(),
  };
  if (request.nonce !== undefined) record.nonce = request.nonce;
  if (request.acrs?.length) record.acrs = request.acrs;
  if (request.capabilities?.length) record.capabilities = request.capabilities;
  // Kept past its lifetime, so a late redemption hears Entra's AADSTS70008 rather than "unknown code".
  await deps.state.set(codeKey(code), JSON.stringify(record), effectiveLifetimes(deps.directory, session.tenantId, request.clientId).codeMs + EXPIRED_CODE_MEMORY_MS);
  return code;
}
