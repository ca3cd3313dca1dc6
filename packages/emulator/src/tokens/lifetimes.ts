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
