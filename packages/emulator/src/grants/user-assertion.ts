import { createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Application } from '../directory/types.ts';
import type { GrantContext } from './grant-context.ts';
import { AadError } from '../protocol/aad-error.ts';
import { v1Issuer, v2Issuer } from '../protocol/tenant.ts';
import { CLOCK_SKEW_S } from '../tokens/lifetimes.ts';

export interface UserAssertion {
  tenantId: string;
  userId: string;
  amr: string[];
}

const refuse = (reason: string): AadError => new AadError(50013, `Assertion failed signature validation or is not acceptable. [Reason - ${reason}]`);

/**
 * The OBO `assertion`: a user's access token signed by this emulator, issued for the calling API
 * (`aud` = its appId or an App ID URI). App-only tokens and ID tokens are refused.
 */
export async function verifyUserAssertion(context: GrantContext, api: Application, assertion: string): Promise<UserAssertion> {
  const { deps } = context;
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(assertion) as Record<string, unknown>;
  } catch {
    throw new AadError(50027, 'Invalid JWT token. The assertion is not a JWT.');
  }
  // Graph tokens (header nonce) are for Graph only; nobody else can validate them.
  if ('nonce' in header) throw refuse('The token was issued for another resource.');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(deps.keys.jwks()), {
      algorithms: ['RS256'],
      currentDate: new Date(deps.clock()),
      clockTolerance: CLOCK_SKEW_S,
      requiredClaims: ['exp', 'iat', 'tid', 'oid', 'aud', 'iss'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired || (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf')) {
      throw new AadError(500133, `Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: ${new Date(deps.clock()).toISOString()}.`);
    }
    throw refuse(error instanceof joseErrors.JWTClaimValidationFailed ? `The '${error.claim}' claim is missing or invalid.` : 'Signature validation failed.');
  }
  const { tid, oid, aud, iss } = payload as { tid: unknown; oid: unknown; aud: unknown; iss: unknown };
  if (typeof tid !== 'string' || typeof oid !== 'string' || typeof aud !== 'string') throw refuse('The token has no user.');
  if (iss !== v2Issuer(deps.publicUrl, tid) && iss !== v1Issuer(tid)) throw refuse('The issuer is not this tenant.');
  if (context.authority.kind === 'tenant' && context.authority.tenant.id !== tid) throw refuse('The token was issued in a different tenant.');
  if (payload['azp'] === undefined && payload['appid'] === undefined) throw refuse('ID tokens cannot be used as user assertions; send an access token for the API.');
  if (typeof payload['scp'] !== 'string' || payload['idtyp'] === 'app') {
    throw refuse('An app-only token cannot be used for on-behalf-of; the assertion must carry a user (scp).');
  }
  if (aud !== api.appId && !api.identifierUris.includes(aud)) {
    throw refuse(`Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${aud.slice(0, 200)}' and the expected audience is '${api.appId}' or one of the Application Ids of the application.`);
  }
  const amr = Array.isArray(payload['amr']) && payload['amr'].every((v) => typeof v === 'string') ? (payload['amr'] as string[]) : ['pwd'];
  return { tenantId: tid, userId: oid, amr };
}
