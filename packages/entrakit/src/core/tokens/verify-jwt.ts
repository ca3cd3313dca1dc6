import { jwtVerify } from 'jose';
import type { JWTHeaderParameters, JWTPayload, JWTVerifyGetKey } from 'jose';
import { isEntrakitError } from '../errors.ts';
import type { EntrakitError } from '../errors.ts';
import type { DecodedToken } from './decode.ts';
import { jwksUnreachable, tokenError } from './token-error.ts';

/** Entra signs ID and access tokens with RS256 only; anything else (none, HS256, ES256) is refused. */
export const ALLOWED_ALGORITHMS = ['RS256'] as const;

export interface VerifyJwtOptions {
  keySet: JWTVerifyGetKey;
  clockSkewSec: number;
  nowMs: number;
  requiredClaims: readonly string[];
}

export interface VerifiedJwt {
  claims: JWTPayload & Record<string, unknown>;
  header: JWTHeaderParameters;
}

/** Cheap header checks on the decoded (unverified) token, before any key is fetched. */
export function checkHeader(decoded: DecodedToken): void {
  const { alg, kid } = decoded.header;
  if (alg !== 'RS256') {
    throw tokenError('TOKEN_ALG_NOT_ALLOWED', 'Token alg is not allowed; only RS256 is accepted');
  }
  if (typeof kid !== 'string' || kid === '') {
    throw tokenError('TOKEN_KEY_NOT_FOUND', 'Token header has no kid, so no signing key can be selected');
  }
}

/**
 * Signature and time checks through jose. The key always comes from `keySet` (the issuer's JWKS):
 * jose only consults `jwk`/`jku`/`x5u`/`x5c` headers when given its EmbeddedJWK helper, which we
 * never use, so those headers are inert.
 */
export async function verifyJwt(token: string, options: VerifyJwtOptions): Promise<VerifiedJwt> {
  const { keySet } = options;
  const keyFromIssuer: JWTVerifyGetKey = async (header, input) => {
    try {
      return await keySet(header, input);
    } catch (error) {
      throw keyResolutionError(error);
    }
  };
  let verified;
  try {
    verified = await jwtVerify(token, keyFromIssuer, {
      algorithms: [...ALLOWED_ALGORITHMS],
      clockTolerance: options.clockSkewSec,
      currentDate: new Date(options.nowMs),
      requiredClaims: [...options.requiredClaims],
    });
  } catch (error) {
    throw mapJoseError(error);
  }
  const claims = verified.payload as VerifiedJwt['claims'];
  // jose checks iat only with maxTokenAge; a token issued in the future is not valid yet.
  if (typeof claims.iat === 'number' && claims.iat > options.nowMs / 1000 + options.clockSkewSec) {
    throw tokenError('TOKEN_NOT_YET_VALID', 'Token iat is in the future', { details: { claim: 'iat' } });
  }
  return { claims, header: verified.protectedHeader };
}

function keyResolutionError(error: unknown): EntrakitError {
  if (isEntrakitError(error)) return error;
  const code = joseCode(error);
  if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
    return tokenError('TOKEN_KEY_NOT_FOUND', "Token kid is not in the issuer's key set", { cause: error });
  }
  // Network failure, timeout, non-200 or unusable JWKS: nothing can be verified.
  return jwksUnreachable(error);
}

/** jose error code (ERR_JWT_EXPIRED, ...) to our stable code; a non-jose error (a bug) is rethrown. */
export function mapJoseError(error: unknown): EntrakitError {
  if (isEntrakitError(error)) return error;
  const code = joseCode(error);
  const claim = (error as { claim?: unknown } | null)?.claim;
  const reason = (error as { reason?: unknown } | null)?.reason;
  const options = { cause: error, details: typeof claim === 'string' ? { claim } : {} };
  switch (code) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return tokenError('TOKEN_ALG_NOT_ALLOWED', 'Token alg is not allowed; only RS256 is accepted', options);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return tokenError('TOKEN_SIGNATURE_INVALID', 'Token signature is invalid', options);
    case 'ERR_JWT_EXPIRED':
      return tokenError('TOKEN_EXPIRED', 'Token has expired', options);
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return tokenError('TOKEN_MALFORMED', 'Token is not a well-formed signed JWT', options);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (reason === 'missing') return tokenError('TOKEN_CLAIM_MISSING', `Token has no "${String(claim)}" claim`, options);
      if (claim === 'nbf' && reason === 'check_failed') return tokenError('TOKEN_NOT_YET_VALID', 'Token is not valid yet (nbf)', options);
      return tokenError('TOKEN_MALFORMED', `Token claim "${String(claim)}" has the wrong type`, options);
    default:
      // Another jose refusal (e.g. an unsupported `crit` header) is about the token; anything
      // else is a bug and stays one (never disguised as unreachable keys).
      if (code?.startsWith('ERR_')) return tokenError('TOKEN_MALFORMED', 'Token is not a JWT this library accepts', options);
      throw error;
  }
}

function joseCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
