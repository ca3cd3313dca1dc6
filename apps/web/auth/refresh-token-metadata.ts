import type { LoadedSession, WebDeps } from '../context.ts';

/** A refresh token as the app may show it: where it came from and when, never its value. */
export interface RefreshTokenMetadata {
  clientId: string;
  environment: string;
  familyId: string | null;
  /** From MSAL's cache entry; the identity provider does not say when a refresh token expires. */
  cachedAt: string | null;
  expiresOn: string | null;
  valueLength: number;
}

/**
 * Read from the user's MSAL cache (decrypted in memory only, the value dropped at once). Refresh tokens are opaque to the
 * app: their lifetime (24 h for SPAs, 90 days otherwise, sliding) is the identity provider's business.
 */
export async function refreshTokenMetadata(deps: Pick<WebDeps, 'stores'>, session: LoadedSession): Promise<RefreshTokenMetadata[]> {
  const serialized = await deps.stores.tokenCache.get(session.data.homeAccountId);
  if (serialized === undefined) return [];
  let cache: { RefreshToken?: Record<string, Record<string, unknown>> };
  try {
    cache = JSON.parse(serialized) as typeof cache;
  } catch {
    return [];
  }
  const seconds = (value: unknown) => (typeof value === 'string' && /^\d+$/.test(value) ? new Date(Number(value) * 1000).toISOString() : null);
  return Object.values(cache.RefreshToken ?? {})
    .filter((entry) => entry['home_account_id'] === session.data.homeAccountId)
    .map((entry) => ({
      clientId: String(entry['client_id'] ?? ''),
      environment: String(entry['environment'] ?? ''),
      familyId: typeof entry['family_id'] === 'string' && entry['family_id'] !== '' ? entry['family_id'] : null,
      cachedAt: seconds(entry['last_modification_time'] ?? entry['cached_at']),
      expiresOn: seconds(entry['expires_on']),
      valueLength: typeof entry['secret'] === 'string' ? entry['secret'].length : 0,
    }));
}
