import { EntrakitError, isEntrakitError } from '../../core/errors.ts';
import { createDiscoveryClient } from '../../core/discovery/discovery-client.ts';
import type { DiscoveryClient } from '../../core/discovery/discovery-client.ts';
import { DEFAULT_MAX_TOKEN_BYTES } from '../../core/tokens/decode.ts';
import { v1IssuerFor } from '../../core/tokens/issuer.ts';
import type { Principal } from '../../core/tokens/principal.ts';
import { validateAccessToken } from '../../core/tokens/validate-access-token.ts';
import type { TrustedIssuer } from '../../core/tokens/validate-access-token.ts';
import { parseBearerPolicy, parseRouteRequirement } from './bearer-policy.ts';
import type { RouteRequirement } from './bearer-policy.ts';
import { checkBearerSyntax, readBearerCredentials } from './read-bearer-token.ts';
import { checkRequiredClaims, checkRouteRequirement } from './requirements.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

export interface BearerAuthenticatorOptions {
  fetch?: typeof globalThis.fetch;
  clock?: () => number;
  /** Share one discovery client (and its JWKS caches) with other parts of the app. */
  discoveryClient?: DiscoveryClient;
}

/** Resolves the caller or throws EntrakitError: 400/401/403 with `details.challenge`, 5xx when keys are unreachable. */
export type BearerAuthenticator = ((request: Request, requirement?: RouteRequirement) => Promise<Principal>) & {
  readonly realm: string;
};

export function createBearerAuthenticator(policyInput: unknown, options: BearerAuthenticatorOptions = {}): BearerAuthenticator {
  const policy = parseBearerPolicy(policyInput);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('createBearerAuthenticator: "clock" must be a function');
  const discovery = options.discoveryClient ?? createDiscoveryClient({ clock, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const maxTokenBytes = policy.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  const cache = new VerifiedTokenCache(policy.cache?.maxEntries ?? 10_000, clock);
  const staticIssuers: TrustedIssuer[] = (policy.issuers ?? []).map(({ issuer, jwksUri }) => ({
    issuer,
    keySet: discovery.getKeySet(jwksUri),
  }));
  const parsedRequirements = new WeakMap<object, RouteRequirement>();

  async function trustedIssuers(): Promise<{ trusted: TrustedIssuer[]; failure?: unknown }> {
    const urls = policy.discoveryUrls ?? [];
    if (urls.length === 0) return { trusted: staticIssuers };
    const settled = await Promise.allSettled(urls.map((url) => discovery.getMetadata(url)));
    const trusted = [...staticIssuers];
    let failure: unknown;
    for (const outcome of settled) {
      if (outcome.status === 'rejected') {
        failure ??= outcome.reason;
        continue;
      }
      const keySet = discovery.getKeySet(outcome.value.jwks_uri);
      trusted.push({ issuer: outcome.value.issuer, keySet });
      const v1 = policy.acceptV1Tokens === false ? undefined : v1IssuerFor(outcome.value.issuer);
      if (v1) trusted.push({ issuer: v1, keySet });
    }
    return { trusted, failure };
  }

  async function verify(token: string, cacheKey: string): Promise<{ principal: Principal; claims: Record<string, unknown> }> {
    const { trusted, failure } = await trustedIssuers();
    try {
      const result = await validateAccessToken(token, {
        trustedIssuers: trusted,
        audiences: policy.audiences,
        clock,
        maxTokenBytes,
        ...(policy.allowedTenants ? { allowedTenants: policy.allowedTenants } : {}),
        ...(policy.clockSkewSec !== undefined ? { clockSkewSec: policy.clockSkewSec } : {}),
      });
      cache.set(cacheKey, result, result.claims.exp ?? 0);
      return result;
    } catch (error) {
      // The token's issuer may be the one whose discovery failed: fail closed as unavailable.
      if (failure !== undefined && isEntrakitError(error, 'TOKEN_ISSUER_INVALID')) throw failure;
      throw asChallenge(error);
    }
  }

  async function authenticate(request: Request, requirement?: RouteRequirement): Promise<Principal> {
    const route = requirementFor(requirement);
    const credentials = readBearerCredentials(request, maxTokenBytes);
    const cacheKey = VerifiedTokenCache.keyFor(credentials);
    // A hit means these exact bytes were fully validated before, so the syntax check can wait for a miss.
    const verified = cache.get(cacheKey) ?? (await verify(checkBearerSyntax(credentials), cacheKey));
    checkRequiredClaims(verified.claims, policy.requiredClaims ?? []);
    checkRouteRequirement(verified.principal, route);
    return verified.principal;
  }

  function requirementFor(requirement: RouteRequirement | undefined): RouteRequirement {
    if (requirement === undefined) return {};
    let parsed = parsedRequirements.get(requirement);
    if (!parsed) {
      parsed = parseRouteRequirement(requirement);
      parsedRequirements.set(requirement, parsed);
    }
    return parsed;
  }

  return Object.defineProperty(authenticate, 'realm', { value: policy.realm ?? 'api', enumerable: true }) as BearerAuthenticator;
}

/** Token failures become RFC 6750 `invalid_token` challenges; server-side failures pass through. */
function asChallenge(error: unknown): unknown {
  if (!isEntrakitError(error)) {
    return new EntrakitError('JWKS_UNREACHABLE', 'The access token could not be validated', { status: 503, cause: error });
  }
  if (error.status !== 401) return error;
  return new EntrakitError(error.code, error.message, {
    status: 401,
    cause: error,
    details: { ...error.details, challenge: { error: 'invalid_token', errorDescription: error.message } },
  });
}
