import type { Directory } from '../directory/directory.ts';

const MAX_HINTS = 6;

/**
 * The usernames the login page suggests: users of the tenant being signed in to (for common and
 * organizations, the app's home tenant), never another tenant's. Enabled members only.
 */
export function accountHints(directory: Directory, tenantId: string | null, clientId: string): { usernames: string[]; more: number } {
  const tenant = tenantId ?? directory.findApplicationByClientId(clientId)?.tenantId;
  if (!tenant) return { usernames: [], more: 0 };
  const users = directory.objects.list('user', tenant).filter((u) => u.accountEnabled && u.userType !== 'Guest');
  return { usernames: users.slice(0, MAX_HINTS).map((u) => u.userPrincipalName), more: Math.max(0, users.length - MAX_HINTS) };
}
