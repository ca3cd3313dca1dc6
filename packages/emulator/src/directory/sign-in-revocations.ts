import type { DatabaseSync } from 'node:sqlite';
import { createReadCache } from './read-cache.ts';

/** When a user's sign-in sessions were last revoked (Graph's revokeSignInSessions). */
export function createRevocationTable(db: DatabaseSync) {
  const upsert = db.prepare('INSERT OR REPLACE INTO sign_in_revocations (user_id, revoked_at) VALUES (?, ?)');
  const get = db.prepare('SELECT revoked_at FROM sign_in_revocations WHERE user_id = ?');
  // Checked on every refresh and SSO sign-in.
  const cache = createReadCache(db);
  return {
    revoke(userId: string, at: number): void {
      upsert.run(userId, at);
      cache.clear();
    },
    /** Milliseconds since the epoch, or undefined when never revoked. */
    revokedAt(userId: string): number | undefined {
      return cache.get(userId, () => (get.get(userId) as { revoked_at: number } | undefined)?.revoked_at);
    },
  };
}
