import { createHash, randomBytes } from 'node:crypto';

/**
 * Pairwise `sub`: stable for one user and one client, different across clients (Entra's
 * subject_types_supported is `pairwise`). 43 base64url characters, like Entra's.
 */
export function pairwiseSubject(tenantId: string, objectId: string, clientId: string): string {
  return createHash('sha256').update(`${tenantId}|${objectId}|${clientId}`).digest('base64url');
}

/** Opaque values Entra puts in tokens (aio, rh, uti); meaningless to clients by design. */
export function opaqueClaim(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

/** `client_info`: base64url JSON `{uid, utid}`; MSAL builds `homeAccountId` = `uid.utid` from it. */
export function clientInfo(objectId: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: objectId, utid: tenantId })).toString('base64url');
}

/** Base64url SHA-256, used to store codes, refresh tokens and assertion ids by hash only. */
export function sha256Base64Url(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
