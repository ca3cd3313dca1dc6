import { createHash } from 'node:crypto';
import type { EmulatorDeps } from '../deps.ts';
import type { User } from '../directory/types.ts';
import { AadError } from '../protocol/aad-error.ts';
import { mintIdToken } from '../tokens/id-token.ts';
import type { AuthorizeRequest } from './authorize-request.ts';
import { issueAuthorizationCode } from './issue-code.ts';
import type { SsoSession } from './sso-session.ts';

type ResponseDeps = Pick<EmulatorDeps, 'directory' | 'keys' | 'state' | 'clock' | 'publicUrl'>;

/** OIDC `c_hash`/`at_hash`: the left half of the SHA-256 of the value, base64url. */
export function leftHalfHash(value: string): string {
  const digest = createHash('sha256').update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * The fields /authorize returns for the request's response_type: `code` (code flow), `id_token`
 * (implicit), or both (hybrid, the ID token carrying `c_hash` so the app can tie the code to it).
 */
export async function frontChannelResponse(deps: ResponseDeps, request: AuthorizeRequest, session: SsoSession, user: User): Promise<Record<string, string>> {
  const fields: Record<string, string> = {};
  const code = request.responseTypes.code ? await issueAuthorizationCode(deps, request, session) : undefined;
  if (code !== undefined) fields['code'] = code;
  if (request.responseTypes.idToken) {
    const app = deps.directory.findApplicationByClientId(request.clientId)?.app;
    if (!app) throw new AadError(700016, `Application with identifier '${request.clientId}' was not found in the directory.`);
    const scopes = new Set(request.scope.toLowerCase().split(' '));
    fields['id_token'] = await mintIdToken(deps, {
      tenantId: session.tenantId,
      user,
      client: app,
      sid: session.sid,
      profile: scopes.has('profile'),
      email: scopes.has('email'),
      ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
      ...(code !== undefined ? { cHash: leftHalfHash(code) } : {}),
    });
  }
  return fields;
}
