import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { EmulatorDeps } from '../deps.ts';
import { v1Issuer } from '../protocol/tenant.ts';
import { GRAPH_APP_ID } from '../protocol/microsoft-resources.ts';
import { graphTokenSigningForm } from '../tokens/sign.ts';
import { GraphError } from './graph-error.ts';
import { GUID } from 'entrakit/internal';

/** Who called Graph, from a verified access token. */
export interface GraphCaller {
  kind: 'delegated' | 'app';
  tenantId: string;
  /** The signed-in user (delegated) or the client's service principal (app-only). */
  objectId: string;
  /** The client application (`appid`). */
  clientId: string;
  /** `scp` values (delegated) or `roles` (app-only). */
  permissions: ReadonlySet<string>;
}

/** Every identifier the Graph service principal answers to. */
const GRAPH_AUDIENCES = new Set([GRAPH_APP_ID, 'https://graph.microsoft.com', 'https://canary.graph.microsoft.com']);
// Below Node's 16 KiB header limit, so the check is reachable and answers as Graph does.
const MAX_TOKEN_LENGTH = 12_288;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Microsoft.IdentityModel's default clock skew, which Graph applies too. */
const CLOCK_TOLERANCE_SEC = 300;

function unauthenticated(message: string): GraphError {
  return new GraphError(401, 'InvalidAuthenticationToken', message);
}

function messageFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'Access token has expired or is not yet valid.';
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') return 'Access token has expired or is not yet valid.';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'Access token validation failure. Invalid signature.';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'Access token validation failure. Unsupported signing algorithm.';
  return 'Access token validation failure.';
}

/**
 * Validates Graph bearer tokens against the emulator's own published keys: RS256, lifetime, the v1
 * issuer of an existing tenant, a Graph audience. Graph tokens carry Entra's header `nonce` trick
 * (the signature covers the nonce's SHA-256, so nobody but Graph can verify them); the token
 * signer's `graphTokenSigningForm` restores the signed header before jose verifies it.
 */
export function createGraphAuthenticator(deps: Pick<EmulatorDeps, 'directory' | 'keys' | 'clock' | 'publicUrl'>) {
  let cachedKids = '';
  let cachedKeySet: ReturnType<typeof createLocalJWKSet> | undefined;

  // Keys rotate; rebuild the local key set only when the published kids change.
  function keySet(): ReturnType<typeof createLocalJWKSet> {
    const jwks = deps.keys.jwks();
    const kids = jwks.keys.map((k) => k.kid).join(',');
    if (!cachedKeySet || kids !== cachedKids) {
      cachedKeySet = createLocalJWKSet(jwks as unknown as JSONWebKeySet);
      cachedKids = kids;
    }
    return cachedKeySet;
  }

  return async function authenticateGraphRequest(authorization: string | undefined): Promise<GraphCaller> {
    if (!authorization?.trim()) throw unauthenticated('Access token is empty.');
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    const token = match?.[1];
    if (!token || token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) {
      throw unauthenticated('Invalid JWT token. The token is not in JWS compact format.');
    }

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(graphTokenSigningForm(token), keySet(), {
        algorithms: ['RS256'],
        currentDate: new Date(deps.clock()),
        clockTolerance: CLOCK_TOLERANCE_SEC,
        requiredClaims: ['exp', 'nbf', 'iat'],
      }));
    } catch (error) {
      throw unauthenticated(messageFor(error));
    }

    const tid = payload['tid'];
    if (typeof tid !== 'string' || !GUID.test(tid) || deps.directory.findTenant(tid)?.id !== tid || payload.iss !== v1Issuer(tid)) {
      throw unauthenticated('Access token validation failure. Invalid issuer.');
    }
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (audiences.length !== 1 || typeof audiences[0] !== 'string' || !GRAPH_AUDIENCES.has(audiences[0].replace(/\/+$/, ''))) {
      throw unauthenticated('Access token validation failure. Invalid audience.');
    }
    const oid = payload['oid'];
    const appid = payload['appid'];
    if (typeof oid !== 'string' || !GUID.test(oid) || typeof appid !== 'string' || !appid) {
      throw unauthenticated('Access token validation failure. The token lacks the oid or appid claim.');
    }

    const scp = payload['scp'];
    const roles = payload['roles'];
    const appOnly = payload['idtyp'] === 'app' || scp === undefined;
    if (!appOnly) checkContinuousAccess(deps, payload, oid);
    if (!appOnly && typeof scp === 'string') {
      return { kind: 'delegated', tenantId: tid, objectId: oid, clientId: appid, permissions: new Set(scp.split(' ').filter(Boolean)) };
    }
    if (appOnly && scp === undefined && Array.isArray(roles) && roles.every((r) => typeof r === 'string')) {
      return { kind: 'app', tenantId: tid, objectId: oid, clientId: appid, permissions: new Set(roles as string[]) };
    }
    throw unauthenticated('Either scp or roles claim need to be present in the token.');
  };
}

/**
 * CAE: a token from a client that declared CP1 (`xms_cc`) stops working when the user's sessions
 * are revoked after it was issued. Graph answers 401 with a claims challenge whose `nbf` is the
 * revocation time, so the client signs the user in again; other tokens stay valid until they
 * expire. Header shape: learn.microsoft.com/entra/identity-platform/claims-challenge; the message
 * is Graph's for this event.
 */
function checkContinuousAccess(deps: Pick<EmulatorDeps, 'directory' | 'publicUrl' | 'clock'>, payload: JWTPayload, oid: string): void {
  const capabilities = payload['xms_cc'];
  if (!Array.isArray(capabilities) || !capabilities.some((v) => typeof v === 'string' && v.toLowerCase() === 'cp1')) return;
  const revokedAt = deps.directory.revokedAt(oid);
  // A disabled or deleted account is a critical event too: its CAE tokens are challenged whenever issued.
  const user = deps.directory.objects.get('user', oid.toLowerCase());
  const gone = !user || !user.value.accountEnabled;
  if (revokedAt === undefined && !gone) return;
  // Whole seconds, as `iat` and the challenge's nbf are.
  const revokedAtS = Math.floor((revokedAt ?? deps.clock()) / 1000);
  if (!gone && (typeof payload.iat !== 'number' || payload.iat >= revokedAtS)) return;
  const claims = Buffer.from(JSON.stringify({ access_token: { nbf: { essential: true, value: String(revokedAtS) } } })).toString('base64');
  throw new GraphError(401, 'InvalidAuthenticationToken', 'Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp', {
    why: gone
      ? 'CAE: the user is disabled or deleted, so this CP1 token gets a claims challenge (insufficient_claims)'
      : "CAE: the token was issued before the user's sessions were revoked, so this CP1 token gets a claims challenge (insufficient_claims)",
    challenge: `Bearer realm="", authorization_uri="${deps.publicUrl}/common/oauth2/authorize", error="insufficient_claims", claims="${claims}"`,
  });
}

export type GraphAuthenticator = ReturnType<typeof createGraphAuthenticator>;
