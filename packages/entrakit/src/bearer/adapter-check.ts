import type { Principal } from '../core/tokens/principal.ts';
import { cachedPrincipalOf, type BearerAuthenticator } from './authenticate.ts';
import { parseRouteRequirement, type RouteRequirement } from './bearer-policy.ts';

/** One route's bearer check, as every framework adapter runs it. */
export interface AdapterCheck {
  readonly realm: string;
  /** The principal when this exact header was validated before and meets the route; may throw. */
  cached(header: string | null): Principal | undefined;
  /** The full validation (discovery, keys, claims) and the route's requirement. */
  verify(header: string | null): Promise<Principal>;
  /** The cached principal, else `verify`; callback style, so a cache hit needs no promise. */
  run(header: string | null, accept: (principal: Principal) => void, refuse: (error: unknown) => void): void;
}

/**
 * Checks an adapter's arguments once, when the route is declared (a typo in a route's requirement
 * fails at start-up, not per request), and returns the route's check.
 */
export function adapterCheck(authenticator: BearerAuthenticator, requirement: RouteRequirement | undefined): AdapterCheck {
  const cachedPrincipal = typeof authenticator === 'function' ? cachedPrincipalOf(authenticator) : undefined;
  if (!cachedPrincipal) throw new TypeError('bearerAuth: "authenticator" must come from createBearerAuthenticator');
  const route = parseRouteRequirement(requirement);
  const cached = (header: string | null): Principal | undefined => cachedPrincipal(header, route);
  const verify = (header: string | null): Promise<Principal> => authenticator.fromAuthorizationHeader(header, route);
  return {
    realm: authenticator.realm,
    cached,
    verify,
    run(header, accept, refuse) {
      let principal: Principal | undefined;
      try {
        principal = cached(header);
      } catch (error) {
        refuse(error);
        return;
      }
      if (principal) {
        accept(principal);
        return;
      }
      verify(header).then(accept, refuse);
    },
  };
}
