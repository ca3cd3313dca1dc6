import type { JWTHeaderParameters, JWTVerifyGetKey } from 'jose';
import { decodeToken } from './decode.ts';
import { isTenantAllowed, issuerMatches } from './issuer.ts';
import { audienceList, commonOptions, optionalStringList, requireKeySet, requireString } from './options.ts';
import { timingSafeStringEqual } from '../secrets.ts';
import { tokenError } from './token-error.ts';
import { checkHeader, verifyJwt } from './verify-jwt.ts';
import type { VerifiedJwt } from './verify-jwt.ts';

export interface IdTokenValidationOptions {
  /** The issuer's JWKS, e.g. `discoveryClient.getKeySet(metadata.jwks_uri)`. */
  keySet: JWTVerifyGetKey;
  /** Concrete issuer, or Entra's multi-tenant template containing `{tenantid}`. */
  issuer: string;
  clientId: string;
  /** The nonce stored with this sign-in transaction. */
  nonce: string;
  allowedTenants?: readonly string[];
  clockSkewSec?: number;
  clock?: () => number;
  maxTokenBytes?: number;
}

export type ValidationCheckName = 'signature' | 'issuer' | 'audience' | 'lifetime' | 'nonce' | 'tenant';

export interface ValidationCheck {
  name: ValidationCheckName;
  passed: true;
  detail: string;
}

export interface IdTokenValidationResult {
  claims: VerifiedJwt['claims'];
  header: JWTHeaderParameters;
  /** What was checked, in order, for display; a failed check throws instead of appearing here. */
  checks: ValidationCheck[];
}

const FN = 'validateIdToken';
const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'tid'] as const;

/** Full OIDC ID-token validation for Entra (v2). Throws EntrakitError with a TOKEN_* code. */
export async function validateIdToken(token: string, options: IdTokenValidationOptions): Promise<IdTokenValidationResult> {
  const keySet = requireKeySet(FN, 'keySet', options.keySet);
  const issuer = requireString(FN, 'issuer', options.issuer);
  const clientId = requireString(FN, 'clientId', options.clientId);
  const nonce = requireString(FN, 'nonce', options.nonce);
  const allowedTenants = optionalStringList(FN, 'allowedTenants', options.allowedTenants);
  const { clockSkewSec, clock, maxTokenBytes } = commonOptions(FN, options);

  checkHeader(decodeToken(token, { maxTokenBytes }));
  const { claims, header } = await verifyJwt(token, { keySet, clockSkewSec, nowMs: clock(), requiredClaims: REQUIRED_CLAIMS });
  const checks: ValidationCheck[] = [
    { name: 'signature', passed: true, detail: `RS256 signature verified with the issuer's key "${header.kid}"` },
  ];

  const { tid } = claims;
  if (typeof tid !== 'string' || tid === '') throw tokenError('TOKEN_MALFORMED', 'Token claim "tid" must be a string', { details: { claim: 'tid' } });
  if (!issuerMatches(issuer, claims.iss, tid)) {
    throw tokenError('TOKEN_ISSUER_INVALID', 'Token issuer is not the expected issuer', { details: { claim: 'iss' } });
  }
  checks.push({ name: 'issuer', passed: true, detail: `iss is ${String(claims.iss)}` });

  checkAudience(claims, clientId);
  checks.push({ name: 'audience', passed: true, detail: `aud contains the client id ${clientId}` });

  const exp = new Date((claims.exp ?? 0) * 1000).toISOString();
  checks.push({ name: 'lifetime', passed: true, detail: `valid until ${exp} (clock skew allowed: ${clockSkewSec} s)` });

  if (typeof claims['nonce'] !== 'string' || !timingSafeStringEqual(claims['nonce'], nonce)) {
    throw tokenError('TOKEN_NONCE_MISMATCH', 'Token nonce does not match this sign-in', { details: { claim: 'nonce' } });
  }
  checks.push({ name: 'nonce', passed: true, detail: 'nonce matches the one sent with this sign-in' });

  if (!isTenantAllowed(tid, allowedTenants)) {
    throw tokenError('TOKEN_TENANT_NOT_ALLOWED', 'Token tenant is not allowed', { details: { claim: 'tid' } });
  }
  checks.push({
    name: 'tenant',
    passed: true,
    detail: allowedTenants ? `tenant ${tid} is in the allowed list` : `tenant ${tid} (no tenant allow-list configured)`,
  });
  return { claims, header, checks };
}

/** OIDC Core 3.1.3.7: aud must contain client_id; with several audiences, azp must be our client. */
function checkAudience(claims: VerifiedJwt['claims'], clientId: string): void {
  const audiences = audienceList(claims.aud);
  const azp = claims['azp'];
  const ok =
    audiences !== undefined &&
    audiences.includes(clientId) &&
    (audiences.length === 1 || azp === clientId) &&
    (azp === undefined || azp === clientId);
  if (!ok) throw tokenError('TOKEN_AUDIENCE_INVALID', 'Token audience is not this client', { details: { claim: 'aud' } });
}
