import type { DatabaseSync } from 'node:sqlite';
import { createReadCache } from './read-cache.ts';

/** Lifetimes a tenant or an app sets in the tenant file (seconds); what is absent keeps Entra's default. */
export interface TokenLifetimeSettings {
  accessTokenSeconds?: number;
  idTokenSeconds?: number;
  refreshTokenInactivitySeconds?: number;
  codeSeconds?: number;
}

/** Token lifetimes per tenant (by tenant id) and per app (by appId); read on every token, so cached. */
export function createTokenLifetimeTable(db: DatabaseSync) {
  const upsert = db.prepare('INSERT OR REPLACE INTO token_lifetimes (owner_id, json) VALUES (?, ?)');
  const get = db.prepare('SELECT json FROM token_lifetimes WHERE owner_id = ?');
  const cache = createReadCache(db);
  return {
    set(ownerId: string, settings: TokenLifetimeSettings): void {
      upsert.run(ownerId.toLowerCase(), JSON.stringify(settings));
      cache.clear();
    },
    get(ownerId: string): TokenLifetimeSettings | undefined {
      return cache.get(ownerId.toLowerCase(), () => {
        const row = get.get(ownerId.toLowerCase()) as { json: string } | undefined;
        return row ? (JSON.parse(row.json) as TokenLifetimeSettings) : undefined;
      });
    },
  };
}
