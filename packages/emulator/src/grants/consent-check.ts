import type { Directory } from '../directory/directory.ts';
import type { Application } from '../directory/types.ts';
import { AadError } from '../protocol/aad-error.ts';
import { grantedResourceScopes, missingConsent, type ScopeRequest } from '../protocol/scopes.ts';

/**
 * Fails with 65001 (`consent_required`) unless the user or an admin granted the client every
 * requested scope; `.default` needs at least one granted scope on the resource.
 */
export function requireConsent(directory: Directory, tenantId: string, client: Application, userId: string, request: ScopeRequest): void {
  const missing = missingConsent(directory, tenantId, client.appId, userId, request);
  const noDefaultGrant = request.isDefault && grantedResourceScopes(directory, tenantId, client.appId, userId, request).length === 0;
  if (missing.length === 0 && !noDefaultGrant) return;
  const what = missing.length > 0 ? ` Missing: ${missing.join(' ').slice(0, 200)}.` : '';
  throw new AadError(
    65001,
    `The user or administrator has not consented to use the application with ID '${client.appId}' named '${client.displayName.slice(0, 64)}'. Send an interactive authorization request for this user and resource.${what}`,
    { suberror: 'consent_required' },
  );
}
