/** Entra's default access- and ID-token lifetime (seconds). */
export const ACCESS_TOKEN_LIFETIME_S = 3600;
export const ID_TOKEN_LIFETIME_S = 3600;

/**
 * Refresh tokens (Entra defaults): 90 days of inactivity for web and native clients, sliding on
 * every redemption; single-page apps get a fixed 24 hours from sign-in, not extended by refreshes.
 */
export const REFRESH_TOKEN_INACTIVITY_MS = 90 * 86_400_000;
export const SPA_REFRESH_TOKEN_MAX_MS = 24 * 3600_000;

/** Expired refresh records are kept this long after expiry so redemption answers 700082, not "unknown". */
export const EXPIRED_REFRESH_GRACE_MS = 7 * 86_400_000;

/** Tolerated clock difference when checking assertions (client assertions, OBO assertions). */
export const CLOCK_SKEW_S = 300;

/** Entra's authorization-code lifetime (10 minutes). */
export const CODE_LIFETIME_S = 600;

/** The lifetimes in force for one token request, after the tenant file's settings. */
export interface EffectiveLifetimes {
  accessTokenS: number;
  idTokenS: number;
  refreshInactivityMs: number;
  codeMs: number;
}

/** Reads the settings the tenant file stored (directory.tokenLifetimes); a structural type keeps this module free of the directory. */
interface LifetimeSource {
  tokenLifetimes: { get(ownerId: string): { accessTokenSeconds?: number; idTokenSeconds?: number; refreshTokenInactivitySeconds?: number; codeSeconds?: number } | undefined };
}

/**
 * Lifetimes for tokens issued to `clientId` in `tenantId`: the app's own settings win over the
 * tenant's, which win over Entra's defaults. An access token takes its resource's setting first,
 * as Entra's token lifetime policies on a resource do.
 */
export function effectiveLifetimes(source: LifetimeSource, tenantId: string, clientId: string, resourceAppId?: string): EffectiveLifetimes {
  const resource = resourceAppId ? source.tokenLifetimes.get(resourceAppId) : undefined;
  const app = source.tokenLifetimes.get(clientId);
  const tenant = source.tokenLifetimes.get(tenantId);
  return {
    accessTokenS: resource?.accessTokenSeconds ?? app?.accessTokenSeconds ?? tenant?.accessTokenSeconds ?? ACCESS_TOKEN_LIFETIME_S,
    idTokenS: app?.idTokenSeconds ?? tenant?.idTokenSeconds ?? ID_TOKEN_LIFETIME_S,
    refreshInactivityMs: (app?.refreshTokenInactivitySeconds ?? tenant?.refreshTokenInactivitySeconds ?? REFRESH_TOKEN_INACTIVITY_MS / 1000) * 1000,
    codeMs: (app?.codeSeconds ?? tenant?.codeSeconds ?? CODE_LIFETIME_S) * 1000,
  };
}

/** The refresh-token inactivity of a family's client and tenant, for the refresh-token store. */
export function refreshLifetimeOf(source: LifetimeSource): (record: { tenantId: string; clientId: string }) => number {
  return (record) => effectiveLifetimes(source, record.tenantId, record.clientId).refreshInactivityMs;
}
