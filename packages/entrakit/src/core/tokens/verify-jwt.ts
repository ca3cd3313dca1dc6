import { Buffer } from 'node:buffer';
import { verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { JWTHeaderParameters, JWTPayload, JWTVerifyGetKey } from 'jose';
import { isEntrakitError } from '../errors.ts';
import type { EntrakitError } from '../errors.ts';
import type { RemoteKeySet } from '../discovery/remote-key-set.ts';
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

/** The time and presence rules, without the key set. */
export type ClaimRules = Omit<VerifyJwtOptions, 'keySet'>;

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
  // Entra never marks header parameters critical; any `crit` (even jose's recognised b64) is refused.
  if (decoded.header['crit'] !== undefined) {
    throw tokenError('TOKEN_MALFORMED', 'Token header has "crit"; no critical extensions are accepted', { details: { claim: 'crit' } });
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

/**
 * The same checks as `verifyJwt`, with node:crypto over the KeyObjects the issuer's key set made
 * once from its JWKS, on the token decoded once by the caller (design.md, Stack: jose's WebCrypto
 * path costs more than twice the signature check). Same rules: the caller ran `checkHeader` (RS256
 * only, a kid, no crit); the key comes only from the issuer's JWKS by kid (jwk, jku, x5u and x5c
 * headers are never read); the signature is checked before any claim; then jose's claim checks in
 * jose's order. A differential test runs one corpus through both and requires the same verdicts.
 * Synchronous when the key is already at hand.
 */
export function verifyRs256(token: string, decoded: DecodedToken, keySet: RemoteKeySet, options: ClaimRules): VerifiedJwt | Promise<VerifiedJwt> {
  const kid = decoded.header['kid'] as string;
  const key = keySet.cachedRs256Key(kid);
  if (key) return checkRs256(token, decoded, key, options);
  const lastDot = token.lastIndexOf('.');
  const firstDot = token.indexOf('.');
  const jws = { protected: token.slice(0, firstDot), payload: token.slice(firstDot + 1, lastDot), signature: decoded.signature };
  return keySet.rs256Key(decoded.header as JWTHeaderParameters, jws).then(
    (resolved) => checkRs256(token, decoded, resolved, options),
    (error: unknown) => {
      throw keyResolutionError(error);
    },
  );
}

function checkRs256(token: string, decoded: DecodedToken, key: KeyObject, options: ClaimRules): VerifiedJwt {
  // The key set refused keys shorter than 2048 bits when it made the KeyObject, as jose does.
  // The token passed decodeToken, so it is ASCII: latin1 is its bytes, without a UTF-8 pass.
  const signingInput = Buffer.from(token.slice(0, token.lastIndexOf('.')), 'latin1');
  let valid: boolean;
  try {
    valid = verify('sha256', signingInput, key, Buffer.from(decoded.signature, 'base64url'));
  } catch (cause) {
    throw tokenError('TOKEN_SIGNATURE_INVALID', 'Token signature is invalid', { cause });
  }
  if (!valid) throw tokenError('TOKEN_SIGNATURE_INVALID', 'Token signature is invalid');
  const claims = decoded.payload as VerifiedJwt['claims'];
  checkClaimsAsJose(claims, options);
  if (typeof claims.iat === 'number' && claims.iat > options.nowMs / 1000 + options.clockSkewSec) {
    throw tokenError('TOKEN_NOT_YET_VALID', 'Token iat is in the future', { details: { claim: 'iat' } });
  }
  return { claims, header: decoded.header as unknown as JWTHeaderParameters };
}

/** jose's validateClaimsSet for our options (requiredClaims, clockTolerance, currentDate), same order. */
function checkClaimsAsJose(claims: Record<string, unknown>, options: ClaimRules): void {
  const required = options.requiredClaims;
  for (let i = required.length - 1; i >= 0; i -= 1) {
    const claim = required[i]!;
    if (!Object.hasOwn(claims, claim)) throw tokenError('TOKEN_CLAIM_MISSING', `Token has no "${claim}" claim`, { details: { claim } });
  }
  const now = Math.floor(options.nowMs / 1000);
  const tolerance = options.clockSkewSec;
  const wrongType = (claim: string) => tokenError('TOKEN_MALFORMED', `Token claim "${claim}" has the wrong type`, { details: { claim } });
  if (claims['iat'] !== undefined && typeof claims['iat'] !== 'number') throw wrongType('iat');
  const nbf = claims['nbf'];
  if (nbf !== undefined) {
    if (typeof nbf !== 'number') throw wrongType('nbf');
    if (nbf > now + tolerance) throw tokenError('TOKEN_NOT_YET_VALID', 'Token is not valid yet (nbf)', { details: { claim: 'nbf' } });
  }
  const exp = claims['exp'];
  if (exp !== undefined) {
    if (typeof exp !== 'number') throw wrongType('exp');
    if (exp <= now - tolerance) throw tokenError('TOKEN_EXPIRED', 'Token has expired', { details: { claim: 'exp' } });
  }
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
