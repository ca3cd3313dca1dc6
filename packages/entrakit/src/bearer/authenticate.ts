import { EntrakitError, isEntrakitError, isLibraryError } from '../core/errors.ts';
import type { LibraryError } from '../core/errors.ts';
import { createDiscoveryClient } from '../core/discovery/discovery-client.ts';
import type { DiscoveryClient } from '../core/discovery/discovery-client.ts';
import { DEFAULT_MAX_TOKEN_BYTES } from '../core/tokens/decode.ts';
import { v1IssuerFor } from '../core/tokens/issuer.ts';
import type { Principal } from '../core/tokens/principal.ts';
import { prepareAccessTokenValidation } from '../core/tokens/validate-access-token.ts';
import type { TrustedIssuer } from '../core/tokens/validate-access-token.ts';
import { parseBearerPolicy, parseRouteRequirement } from './bearer-policy.ts';
import type { BearerPolicyInput, RouteRequirement } from './bearer-policy.ts';
import { createFailureReporter, logFailure } from './failure-reporter.ts';
import type { BearerFailure } from './failure-reporter.ts';
import { checkBearerSyntax, readBearerCredentials } from './read-bearer-token.ts';
import { checkRequiredClaims, checkRouteRequirement } from './requirements.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

/** `Bearer ` and some spaces: a header longer than the token limit plus this is never a cache hit. */
const HEADER_SCHEME_ROOM = 16;

export interface BearerAuthenticatorOptions {
  fetch?: typeof globalThis.fetch;
  clock?: () => number;
  /** Share one discovery client (and its JWKS caches) with other parts of the app. */
  discoveryClient?: DiscoveryClient;
  /**
   * Called when authentication failed on the server's side rather than on the token: once per
   * incident when discovery or the JWKS cannot be used (kind 'unavailable', with the URL and the
   * cause; the incident ends when that URL works again), and for every bug (kind 'internal',
   * BEARER_INTERNAL_ERROR whose `cause` is the bug). Token refusals (4xx) are not reported.
   * Default: one line on stderr, without token or request data.
   */
  onFailure?: (failure: BearerFailure) => void;
}

/**
 * `authenticate(request, requirement?)`, the framework-free check: resolves the caller or rejects
 * with a LibraryError: 400/401/403 bearer challenges, 5xx when keys are unreachable,
 * BEARER_INTERNAL_ERROR (500) on a bug. Render any of them with `httpProblem`.
 */
export type BearerAuthenticator = ((request: Request, requirement?: RouteRequirement) => Promise<Principal>) & {
  readonly realm: string;
  /** The same check from the raw `Authorization` header value, for servers that have it at hand. */
  readonly fromAuthorizationHeader: (authorization: string | null, requirement?: RouteRequirement) => Promise<Principal>;
};

type CachedPrincipal = (authorization: string | null, requirement?: RouteRequirement) => Principal | undefined;
const fastPaths = new WeakMap<BearerAuthenticator, CachedPrincipal>();

/**
 * For bearerAuth only: the principal when these exact header bytes were fully validated before
 * (and the requirement holds; else it throws like the full check), undefined when the full check
 * is needed. Kept off the public type so every caller goes through one checked path.
 */
export function cachedPrincipalOf(authenticator: BearerAuthenticator): CachedPrincipal | undefined {
  return fastPaths.get(authenticator);
}

/**
 * The one bearer check every adapter uses. The policy is typed (`BearerPolicyInput`), and checked
 * again at run time: unknown keys and bad values are a TypeError naming them.
 */
export function createBearerAuthenticator(policyInput: BearerPolicyInput, options: BearerAuthenticatorOptions = {}): BearerAuthenticator {
  const policy = parseBearerPolicy(policyInput);
  if (typeof options !== 'object' || options === null) throw new TypeError('createBearerAuthenticator: "options" must be an object');
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('createBearerAuthenticator: "clock" must be a function');
  const onFailure = options.onFailure ?? logFailure;
  if (typeof onFailure !== 'function') throw new TypeError('createBearerAuthenticator: "onFailure" must be a function');
  const failures = createFailureReporter(onFailure, clock);
  // Claims challenges name where to get a new token: configured, else the first discovered issuer's.
  let authorizationUri = policy.authorizationUri;
  const discovery = options.discoveryClient ?? createDiscoveryClient({ clock, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const maxTokenBytes = policy.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  const cache = new VerifiedTokenCache(policy.cache?.maxEntries ?? 10_000, clock);
  const staticIssuers: TrustedIssuer[] = (policy.issuers ?? []).map(({ issuer, jwksUri }) => ({
    issuer,
    keySet: discovery.getKeySet(jwksUri),
  }));
  const parsedRequirements = new WeakMap<object, RouteRequirement>();

  type Validate = ReturnType<typeof prepareAccessTokenValidation>;
  /** The trusted issuers with their validator, prepared (options checked) once per list. */
  interface Trust {
    validate: Validate;
    /** A discovery document that could not be fetched (its issuer is missing from the list). */
    failure?: unknown;
  }
  const prepare = (trusted: TrustedIssuer[]): Validate =>
    prepareAccessTokenValidation({
      trustedIssuers: trusted,
      audiences: policy.audiences,
      clock,
      maxTokenBytes,
      ...(policy.allowedTenants ? { allowedTenants: policy.allowedTenants } : {}),
      ...(policy.clockSkewSec !== undefined ? { clockSkewSec: policy.clockSkewSec } : {}),
    });
  const discoveryUrls = policy.discoveryUrls ?? [];
  const staticTrust: Trust | undefined = discoveryUrls.length === 0 ? { validate: prepare(staticIssuers) } : undefined;

  let lastTrusted: { metadata: unknown[]; trust: Trust } | undefined;
  /** Without waiting while every discovery document is cached and unchanged: the common case. */
  function currentTrust(): Trust | Promise<Trust> {
    if (staticTrust) return staticTrust;
    if (lastTrusted && discoveryUrls.every((url, i) => discovery.cachedMetadata?.(url) === lastTrusted!.metadata[i])) return lastTrusted.trust;
    return refreshTrust();
  }

  async function refreshTrust(): Promise<Trust> {
    const settled = await Promise.allSettled(discoveryUrls.map((url) => discovery.getMetadata(url)));
    failures.discoverySettled(discoveryUrls, settled);
    // The discovery client hands out the same metadata objects until they are refreshed: while
    // they are unchanged, so is the list built from them.
    if (lastTrusted && settled.every((o, i) => o.status === 'fulfilled' && o.value === lastTrusted!.metadata[i])) return lastTrusted.trust;
    const trusted = [...staticIssuers];
    let failure: unknown;
    for (const outcome of settled) {
      if (outcome.status === 'rejected') {
        failure ??= outcome.reason;
        continue;
      }
      authorizationUri ??= outcome.value.authorization_endpoint;
      const keySet = discovery.getKeySet(outcome.value.jwks_uri);
      trusted.push({ issuer: outcome.value.issuer, keySet });
      const v1 = policy.acceptV1Tokens === false ? undefined : v1IssuerFor(outcome.value.issuer);
      if (v1) trusted.push({ issuer: v1, keySet });
    }
    const trust: Trust = failure === undefined ? { validate: prepare(trusted) } : { validate: prepare(trusted), failure };
    if (failure === undefined) lastTrusted = { metadata: settled.map((o) => (o as PromiseFulfilledResult<unknown>).value), trust };
    return trust;
  }

  async function verify(token: string, authorization: string): Promise<{ principal: Principal; claims: Record<string, unknown> }> {
    const pending = currentTrust();
    const trust = pending instanceof Promise ? await pending : pending;
    try {
      const validated = trust.validate(token);
      const result = validated instanceof Promise ? await validated : validated;
      cache.set(authorization, result, result.claims.exp ?? 0);
      failures.succeeded(discovery);
      return result;
    } catch (error) {
      // The token's issuer may be the one whose discovery failed: fail closed as unavailable.
      if (trust.failure !== undefined && isEntrakitError(error, 'TOKEN_ISSUER_INVALID')) throw trust.failure;
      throw error;
    }
  }

  function authorize(verified: { principal: Principal; claims: Record<string, unknown> }, route: RouteRequirement): Principal {
    checkRequiredClaims(verified.claims, policy.requiredClaims ?? []);
    checkRouteRequirement(verified.principal, route, authorizationUri === undefined ? {} : { authorizationUri });
    return verified.principal;
  }

  function cachedPrincipal(authorization: string | null, requirement?: RouteRequirement): Principal | undefined {
    // Keyed by the whole header: a hit means this exact header was fully validated before, so a
    // hit needs no parsing at all. Oversized or absent headers always take the full path.
    if (authorization === null || authorization.length > maxTokenBytes + HEADER_SCHEME_ROOM) {
      readBearerCredentials(authorization, maxTokenBytes);
      return undefined;
    }
    const verified = cache.get(authorization);
    return verified ? authorize(verified, requirementFor(requirement)) : undefined;
  }

  async function fromAuthorizationHeader(authorization: string | null, requirement?: RouteRequirement): Promise<Principal> {
    try {
      const cached = cachedPrincipal(authorization, requirement);
      if (cached) return cached;
      const credentials = checkBearerSyntax(readBearerCredentials(authorization, maxTokenBytes));
      return authorize(await verify(credentials, authorization ?? ''), requirementFor(requirement));
    } catch (error) {
      throw asEntrakitError(error);
    }
  }

  const failedValidation = policy.failedValidation;
  const reshaped = new WeakSet<LibraryError>();
  /** The policy's one answer for refusals (APIM's failed-validation-*), same code and challenge. */
  function reshape(error: LibraryError): LibraryError {
    if (!failedValidation || error.status >= 500 || reshaped.has(error)) return error;
    const answer = new EntrakitError(error.code, failedValidation.message ?? error.message, {
      status: failedValidation.status ?? error.status,
      cause: error,
      ...(error.challenge ? { challenge: error.challenge } : {}),
      ...(error.details ? { details: error.details } : {}),
    });
    reshaped.add(answer);
    return answer;
  }

  /** Bugs stay bugs: a 500 with a reported code, never disguised as a token or key problem. */
  function asEntrakitError(error: unknown): LibraryError {
    if (isLibraryError(error)) {
      if (error.status >= 500) failures.unavailable(error);
      return reshape(error);
    }
    const internal = new EntrakitError('BEARER_INTERNAL_ERROR', 'The access token could not be checked because of an internal error', { cause: error });
    failures.internal(internal);
    return internal;
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

  const authenticate = (request: Request, requirement?: RouteRequirement): Promise<Principal> =>
    fromAuthorizationHeader(request.headers.get('authorization'), requirement);
  const authenticator = Object.defineProperties(authenticate, {
    realm: { value: policy.realm ?? 'api', enumerable: true },
    fromAuthorizationHeader: { value: fromAuthorizationHeader, enumerable: true },
  }) as BearerAuthenticator;
  fastPaths.set(authenticator, (authorization, requirement) => {
    try {
      return cachedPrincipal(authorization, requirement);
    } catch (error) {
      throw asEntrakitError(error);
    }
  });
  return authenticator;
}
