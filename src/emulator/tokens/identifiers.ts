import { createHash, randomFillSync } from 'node:crypto';

/**
 * Pairwise `sub`: stable for one (tenant, user, client), different across clients so apps cannot
 * correlate users by `sub` (Entra's subject_types_supported is `pairwise`); 43 base64url
 * characters, like Entra's. ID tokens, access tokens and userinfo all use this one formula.
 */
export function pairwiseSubject(tenantId: string, objectId: string, clientId: string): string {
  return createHash('sha256').update(`${tenantId}|${objectId}|${clientId}`).digest('base64url');
}

// Random bytes are drawn from a pool refilled in 4 KB blocks: a token carries several opaque
// values, and one CSPRNG call per value was a visible share of the token endpoint's time.
const pool = Buffer.allocUnsafe(4096);
let poolOffset = pool.length;

/** Fresh random bytes (each byte handed out once). */
export function randomBytesFromPool(count: number): Buffer {
  if (count > pool.length) throw new RangeError(`at most ${pool.length} bytes at a time`);
  if (poolOffset + count > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + count));
  poolOffset += count;
  return bytes;
}

/** Opaque values Entra puts in tokens (aio, rh, uti); meaningless to clients by design. */
export function opaqueClaim(bytes = 16): string {
  return randomBytesFromPool(bytes).toString('base64url');
}

/** `client_info`: base64url JSON `{uid, utid}`; MSAL builds `homeAccountId` = `uid.utid` from it. */
export function clientInfo(objectId: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: objectId, utid: tenantId })).toString('base64url');
}

/** Base64url SHA-256, used to store codes, refresh tokens and assertion ids by hash only. */
export function sha256Base64Url(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
