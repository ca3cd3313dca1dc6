import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { EmulatorDeps } from '../deps.ts';
import { v1Issuer } from '../protocol/tenant.ts';
import { GRAPH_APP_ID } from '../protocol/microsoft-resources.ts';
import { graphTokenSigningForm } from '../tokens/sign.ts';
import { GraphError } from './graph-error.ts';
import { GUID } from 'entrakit';

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
export function createGraphAuthenticator(deps: Pick<EmulatorDeps, 'directory' | 'keys' | 'clock'>) {
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
    if (!appOnly && typeof scp === 'string') {
      return { kind: 'delegated', tenantId: tid, objectId: oid, clientId: appid, permissions: new Set(scp.split(' ').filter(Boolean)) };
    }
    if (appOnly && scp === undefined && Array.isArray(roles) && roles.every((r) => typeof r === 'string')) {
      return { kind: 'app', tenantId: tid, objectId: oid, clientId: appid, permissions: new Set(roles as string[]) };
    }
    throw unauthenticated('Either scp or roles claim need to be present in the token.');
  };
}

export type GraphAuthenticator = ReturnType<typeof createGraphAuthenticator>;
