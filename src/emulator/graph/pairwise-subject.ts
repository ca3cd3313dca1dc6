import { createHash } from 'node:crypto';

/**
 * The pairwise `sub` Entra gives a user per application: stable for one (tenant, user, client),
 * different across clients so apps cannot correlate users by `sub`. The ID token (token endpoint)
 * and the userinfo endpoint both use this one formula, so their `sub` values always agree.
 */
export function pairwiseSubject(tenantId: string, objectId: string, clientId: string): string {
  return createHash('sha256').update(`${tenantId}|${objectId}|${clientId}`).digest('base64url');
}
