import { randomFillSync } from 'node:crypto';
import { sha256Base64Url } from 'entrakit/internal';

/**
 * Pairwise `sub`: stable for one (tenant, user, client), different across clients so apps cannot
 * correlate users by `sub` (Entra's subject_types_supported is `pairwise`); 43 base64url
 * characters, like Entra's. ID tokens, access tokens and userinfo all use this one formula.
 */
export function pairwiseSubject(tenantId: string, objectId: string, clientId: string): string {
  return sha256Base64Url(`${tenantId}|${objectId}|${clientId}`);
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
