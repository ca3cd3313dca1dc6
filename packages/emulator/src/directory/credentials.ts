import { hash as sha, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { DatabaseSync } from 'node:sqlite';
import { createReadCache } from './read-cache.ts';
import { sha256Base64Url, timingSafeStringEqual } from 'entrakit/internal';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number }) => Promise<Buffer>;
// Demo-directory cost: strong enough to never keep plain passwords, cheap enough for load tests.
const SCRYPT_N = 4096;


/** Password and client-secret verifiers; plain values are never stored (demo_credentials aside). */
export function createCredentialStore(db: DatabaseSync, clock: () => number) {
  const upsert = db.prepare('INSERT OR REPLACE INTO credentials (object_id, key_id, kind, verifier, expires_at) VALUES (?, ?, ?, ?, ?)');
  const byKind = db.prepare('SELECT key_id, verifier, expires_at FROM credentials WHERE object_id = ? AND kind = ?');
  const remove = db.prepare('DELETE FROM credentials WHERE object_id = ? AND key_id = ?');
  // Client secrets are checked on every token request; their verifiers are cached until a write.
  const cache = createReadCache(db);
  const secretRows = (appObjectId: string) =>
    cache.get(`secrets\0${appObjectId}`, () => byKind.all(appObjectId, 'clientSecret') as Array<{ verifier: string; expires_at: number | null }>);

  return {
    async setPassword(userId: string, password: string): Promise<void> {
      const salt = randomBytes(16);
      const hash = await scrypt(password, salt, 32, { N: SCRYPT_N });
      upsert.run(userId, 'password', 'password', `scrypt$${SCRYPT_N}$${salt.toString('base64url')}$${hash.toString('base64url')}`, null);
    },
    async verifyPassword(userId: string, password: string): Promise<boolean> {
      const row = byKind.get(userId, 'password') as { verifier: string } | undefined;
      const [scheme, n, salt, expected] = (row?.verifier ?? 'scrypt$4096$AAAA$AAAA').split('$');
      // Hash even for unknown users so response time does not reveal which usernames exist.
      const hash = await scrypt(password, Buffer.from(salt ?? '', 'base64url'), 32, { N: Number(n) });
      return row !== undefined && scheme === 'scrypt' && timingSafeStringEqual(hash.toString('base64url'), expected ?? '');
    },
    addClientSecret(appObjectId: string, keyId: string, secret: string, expiresAt: number): void {
      upsert.run(appObjectId, keyId, 'clientSecret', sha256Base64Url(secret), expiresAt);
      cache.clear();
    },
    /** 'valid', 'expired' (AADSTS7000222) or 'invalid' (AADSTS7000215). */
    verifyClientSecret(appObjectId: string, secret: string): 'valid' | 'expired' | 'invalid' {
      // Both sides are SHA-256 digests (32 bytes): compared directly in constant time, no need to
      // hash them again to hide a length.
      const digest = sha('sha256', secret, 'buffer');
      let result: 'expired' | 'invalid' = 'invalid';
      for (const row of secretRows(appObjectId)) {
        const verifier = Buffer.from(row.verifier, 'base64url');
        if (verifier.length !== digest.length || !timingSafeEqual(verifier, digest)) continue;
        if (row.expires_at !== null && row.expires_at <= clock()) result = 'expired';
        else return 'valid';
      }
      return result;
    },
    removeCredential(objectId: string, keyId: string): boolean {
      cache.clear();
      return Number(remove.run(objectId, keyId).changes) > 0;
    },
  };
}

export type CredentialStore = ReturnType<typeof createCredentialStore>;
