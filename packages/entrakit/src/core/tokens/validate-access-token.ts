import type { JWTVerifyGetKey } from 'jose';
import { decodeToken } from './decode.ts';
import { isTenantAllowed, issuerMatches } from './issuer.ts';
import { audienceList, commonOptions, optionalStringList, requireKeySet, requireString } from './options.ts';
import { principalFromClaims } from './principal.ts';
import type { Principal } from './principal.ts';
import { tokenError } from './token-error.ts';
import { checkHeader, verifyJwt, verifyRs256 } from './verify-jwt.ts';
import { isRemoteKeySet } from '../discovery/remote-key-set.ts';
import type { VerifiedJwt } from './verify-jwt.ts';

/** An issuer (concrete, or a `{tenantid}` template) and the key set its tokens must verify with. */
export interface TrustedIssuer {
  issuer: string;
  keySet: JWTVerifyGetKey;
}

export interface AccessTokenValidationOptions {
  /** Each issuer with its own keys. Alternatively give `keySet` + `issuers` sharing one key set. */
  trustedIssuers?: readonly TrustedIssuer[];
  keySet?: JWTVerifyGetKey;
  issuers?: readonly string[];
  /** The API's identifiers: its client id GUID (v2 tokens) and/or App ID URI `api://...` (v1). */
  audiences: readonly string[];
  allowedTenants?: readonly string[];
  clockSkewSec?: number;
  clock?: () => number;
  maxTokenBytes?: number;
}

export interface AccessTokenValidationResult {
  claims: VerifiedJwt['claims'];
  principal: Principal;
}

const FN = 'validateAccessToken';
const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'tid', 'oid', 'ver'] as const;

/** Validates an Entra v1 or v2 access token presented to an API. Throws EntrakitError (TOKEN_*). */
export async function validateAccessToken(token: string, options: AccessTokenValidationOptions): Promise<AccessTokenValidationResult> {
  return prepareAccessTokenValidation(options)(token);
}

/**
 * The options checked once, then a validator to call per token. It returns synchronously when the
 * issuer's key is already at hand (the common case for an API), else a promise; it throws (or
 * rejects with) EntrakitError TOKEN_* / JWKS_UNREACHABLE. Used by the bearer authenticator.
 */
export function prepareAccessTokenValidation(options: AccessTokenValidationOptions): (token: string) => AccessTokenValidationResult | Promise<AccessTokenValidationResult> {
  const trusted = trustedIssuersOption(options);
  const audiences = optionalStringList(FN, 'audiences', options.audiences);
  if (!audiences || audiences.length === 0) throw new TypeError(`${FN}: "audiences" must list at least one audience`);
  const allowedTenants = optionalStringList(FN, 'allowedTenants', options.allowedTenants);
  const { clockSkewSec, clock, maxTokenBytes } = commonOptions(FN, options);

  return function validate(token) {
    const decoded = decodeToken(token, { maxTokenBytes });
    checkHeader(decoded);
    if (decoded.header['nonce'] !== undefined) {
      // Graph access tokens carry a header nonce and are signed over its hash: they are for Graph only.
      throw tokenError('TOKEN_AUDIENCE_INVALID', 'Token is a Microsoft Graph token, not a token for this API', { details: { claim: 'aud' } });
    }
    if (decoded.payload['nonce'] !== undefined) {
      throw tokenError('TOKEN_NOT_ACCESS_TOKEN', 'Token is an ID token (it has a nonce); send an access token', { details: { claim: 'nonce' } });
    }
    // Pick the issuer from the unverified claims only to choose its keys; it is re-checked after.
    const match = trusted.find((entry) => issuerMatches(entry.issuer, decoded.payload['iss'], decoded.payload['tid']));
    if (!match) throw tokenError('TOKEN_ISSUER_INVALID', 'Token issuer is not trusted by this API', { details: { claim: 'iss' } });

    const verifyOptions = { clockSkewSec, nowMs: clock(), requiredClaims: REQUIRED_CLAIMS };
    // entrakit's own key sets hold node:crypto keys: verified on the token decoded above. Any other
    // jose key set goes through jose.
    const verified = isRemoteKeySet(match.keySet) ? verifyRs256(token, decoded, match.keySet, verifyOptions) : verifyJwt(token, { keySet: match.keySet, ...verifyOptions });
    return verified instanceof Promise ? verified.then(({ claims }) => checkClaims(claims, match)) : checkClaims(verified.claims, match);
  };

  function checkClaims(claims: VerifiedJwt['claims'], match: TrustedIssuer): AccessTokenValidationResult {
    const { tid, oid, ver } = claims;
    if (typeof tid !== 'string' || !issuerMatches(match.issuer, claims.iss, tid)) {
      throw tokenError('TOKEN_ISSUER_INVALID', 'Token issuer is not trusted by this API', { details: { claim: 'iss' } });
    }
    if (!audienceList(claims.aud)?.some((aud) => audiences!.includes(aud))) {
      throw tokenError('TOKEN_AUDIENCE_INVALID', 'Token audience is not this API', { details: { claim: 'aud' } });
    }
    if (!isTenantAllowed(tid, allowedTenants)) {
      throw tokenError('TOKEN_TENANT_NOT_ALLOWED', 'Token tenant is not allowed', { details: { claim: 'tid' } });
    }
    if (ver !== '1.0' && ver !== '2.0') {
      throw tokenError('TOKEN_MALFORMED', 'Token "ver" must be "1.0" or "2.0"', { details: { claim: 'ver' } });
    }
    if (typeof oid !== 'string' || oid === '') {
      throw tokenError('TOKEN_MALFORMED', 'Token claim "oid" must be a string', { details: { claim: 'oid' } });
    }
    const clientClaim = ver === '2.0' ? 'azp' : 'appid';
    const clientId = claims[clientClaim];
    if (typeof clientId !== 'string' || clientId === '') {
      // ID tokens have neither, so this also stops an ID token without a nonce.
      throw tokenError('TOKEN_CLAIM_MISSING', `Token has no "${clientClaim}" claim`, { details: { claim: clientClaim } });
    }
    const principal = principalFromClaims(claims, { tenantId: tid, objectId: oid, clientId, tokenVersion: ver });
    return { claims, principal };
  }
}

function trustedIssuersOption(options: AccessTokenValidationOptions): readonly TrustedIssuer[] {
  if (options.trustedIssuers !== undefined) {
    if (!Array.isArray(options.trustedIssuers)) throw new TypeError(`${FN}: "trustedIssuers" must be an array`);
    for (const entry of options.trustedIssuers) {
      requireString(FN, 'trustedIssuers[].issuer', entry?.issuer);
      requireKeySet(FN, 'trustedIssuers[].keySet', entry?.keySet);
    }
    return options.trustedIssuers;
  }
  const keySet = requireKeySet(FN, 'keySet', options.keySet);
  const issuers = optionalStringList(FN, 'issuers', options.issuers);
  if (!issuers || issuers.length === 0) throw new TypeError(`${FN}: give "trustedIssuers", or "keySet" with "issuers"`);
  return issuers.map((issuer) => ({ issuer, keySet }));
}
