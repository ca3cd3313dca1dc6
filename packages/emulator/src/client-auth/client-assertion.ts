import { createHash, X509Certificate } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { Application, KeyCredential } from '../directory/types.ts';
import type { GrantContext } from '../grants/grant-context.ts';
import { AadError } from '../protocol/aad-error.ts';
import { sha256Base64Url } from 'entrakit/internal';
import { CLOCK_SKEW_S } from '../tokens/lifetimes.ts';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const ALGORITHMS = ['RS256', 'PS256'];
const invalid = (reason: string): AadError => new AadError(700027, `Client assertion contains an invalid signature. [Reason - ${reason}]`);

function thumbprints(der: Buffer): Set<string> {
  const sha1 = createHash('sha1').update(der);
  const sha1Hex = sha1.copy().digest('hex');
  return new Set([
    sha1.digest('base64url'),
    createHash('sha256').update(der).digest('base64url'),
    sha1Hex,
    sha1Hex.toUpperCase(),
  ]);
}

/** The registered certificate the assertion names by `x5t`, `x5t#S256` or `kid` (a thumbprint). */
function findCertificate(app: Application, header: Record<string, unknown>): { credential: KeyCredential; der: Buffer } {
  // MSAL Python sends x5t with base64 padding ('='), which Entra accepts.
  const named = ['x5t', 'x5t#S256', 'kid']
    .map((h) => header[h])
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.replace(/=+$/, ''));
  if (named.length === 0) throw invalid('The assertion header names no key: send x5t, x5t#S256 or kid.');
  for (const credential of app.keyCredentials) {
    if (credential.type !== 'AsymmetricX509Cert' || credential.usage !== 'Verify') continue;
    const der = Buffer.from(credential.key, 'base64');
    const known = thumbprints(der);
    if (credential.customKeyIdentifier) known.add(credential.customKeyIdentifier);
    if (named.some((n) => known.has(n))) return { credential, der };
  }
  throw invalid('The key was not found.');
}

/**
 * private_key_jwt: RS256 or PS256, signed by a certificate registered on the app, `aud` = the
 * token endpoint, `iss` = `sub` = client id, `exp` and `jti` required; the jti is single use
 * unless the endpoint runs with assertionReplay 'allow'.
 */
export async function verifyClientAssertion(context: GrantContext, app: Application, assertion: string): Promise<void> {
  const { deps } = context;
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(assertion) as Record<string, unknown>;
  } catch {
    throw invalid('The assertion is not a JWT.');
  }
  if (typeof header['alg'] !== 'string' || !ALGORITHMS.includes(header['alg'])) throw invalid(`Algorithm ${String(header['alg']).slice(0, 16)} is not accepted; use RS256 or PS256.`);
  const { der } = findCertificate(app, header);
  const certificate = new X509Certificate(der);
  const now = deps.clock();
  if (certificate.validToDate.getTime() < now || certificate.validFromDate.getTime() > now) throw invalid('The certificate is expired or not yet valid.');

  const audiences = [context.tokenEndpoint];
  if (context.authority.kind === 'tenant') audiences.push(`${deps.publicUrl}/${context.authority.tenant.id}/oauth2/v2.0/token`);
  let payload: { exp?: number; jti?: string };
  try {
    ({ payload } = await jwtVerify(assertion, certificate.publicKey, {
      algorithms: ALGORITHMS,
      audience: audiences,
      issuer: app.appId,
      subject: app.appId,
      currentDate: new Date(now),
      clockTolerance: CLOCK_SKEW_S,
      requiredClaims: ['exp', 'jti'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired || (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf')) {
      throw new AadError(700024, 'Client assertion is not within its valid time range.', { error: 'invalid_client' });
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) throw invalid(`The '${error.claim}' claim is invalid.`);
    throw invalid('Signature validation failed.');
  }

  const jtiKey = `assertion-jti:${sha256Base64Url(`${app.appId}|${payload.jti}`)}`;
  const fingerprint = sha256Base64Url(assertion);
  const seen = await deps.state.get(jtiKey);
  // 'allow' tolerates MSAL re-sending the very same assertion; a jti reused in a different assertion never passes.
  if (seen !== undefined && (context.options.assertionReplay === 'reject' || seen !== fingerprint)) {
    throw invalid('The client assertion was already used (jti replay).');
  }
  const ttlMs = Math.max(1000, (payload.exp ?? 0) * 1000 - now + CLOCK_SKEW_S * 1000);
  if (seen === undefined) await deps.state.set(jtiKey, fingerprint, ttlMs);
}
