/**
 * What the user's token cache holds, for pages that explain tokens: per entry where it came from,
 * what it is for and when it expires, never its value. The cache is decrypted in memory only and
 * each secret dropped at once (only its length is kept, to show that it is there).
 */

export interface CachedAccessToken {
  clientId: string;
  /** The identity provider's host the token came from (MSAL's `environment`). */
  environment: string;
  /** The tenant that issued it. */
  realm: string;
  scopes: string[];
  cachedAt: string | null;
  expiresOn: string | null;
  /** Entra's extended lifetime (resilience), when it gave one. */
  extendedExpiresOn: string | null;
  tokenType: string;
  valueLength: number;
}

export interface CachedRefreshToken {
  clientId: string;
  environment: string;
  /** "1" for the family of Microsoft first-party clients; null otherwise. */
  familyId: string | null;
  /** The identity provider does not say when a refresh token expires; MSAL records when it cached it. */
  cachedAt: string | null;
  expiresOn: string | null;
  valueLength: number;
}

export interface CachedTokens {
  accessTokens: CachedAccessToken[];
  refreshTokens: CachedRefreshToken[];
  idTokens: number;
}

type Entry = Record<string, unknown>;

const seconds = (value: unknown): string | null => (typeof value === 'string' && /^\d{1,12}$/.test(value) ? new Date(Number(value) * 1000).toISOString() : null);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const length = (value: unknown): number => (typeof value === 'string' ? value.length : 0);

/** MSAL's serialized cache (JSON) of one user, reduced to metadata; an unreadable cache reads as empty. */
export function describeTokenCache(serialized: string | undefined, homeAccountId: string): CachedTokens {
  const empty: CachedTokens = { accessTokens: [], refreshTokens: [], idTokens: 0 };
  if (serialized === undefined || serialized === '') return empty;
  let cache: { AccessToken?: unknown; RefreshToken?: unknown; IdToken?: unknown };
  try {
    cache = JSON.parse(serialized) as typeof cache;
  } catch {
    return empty;
  }
  const entries = (section: unknown): Entry[] =>
    section !== null && typeof section === 'object'
      ? Object.values(section as Record<string, unknown>).filter((entry): entry is Entry => entry !== null && typeof entry === 'object' && (entry as Entry)['home_account_id'] === homeAccountId)
      : [];
  return {
    accessTokens: entries(cache.AccessToken).map((entry) => ({
      clientId: text(entry['client_id']),
      environment: text(entry['environment']),
      realm: text(entry['realm']),
      scopes: text(entry['target']).split(' ').filter(Boolean),
      cachedAt: seconds(entry['cached_at']),
      expiresOn: seconds(entry['expires_on']),
      extendedExpiresOn: seconds(entry['extended_expires_on']),
      tokenType: text(entry['token_type']) || 'Bearer',
      valueLength: length(entry['secret']),
    })),
    refreshTokens: entries(cache.RefreshToken).map((entry) => ({
      clientId: text(entry['client_id']),
      environment: text(entry['environment']),
      familyId: text(entry['family_id']) || null,
      cachedAt: seconds(entry['last_modification_time'] ?? entry['cached_at']),
      expiresOn: seconds(entry['expires_on']),
      valueLength: length(entry['secret']),
    })),
    idTokens: entries(cache.IdToken).length,
  };
}
