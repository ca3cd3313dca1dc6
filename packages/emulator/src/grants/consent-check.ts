import type { Directory } from '../directory/directory.ts';
import type { Application } from '../directory/types.ts';
import { AadError } from '../protocol/aad-error.ts';
import { missingResourceConsent, type ScopeRequest } from '../protocol/scopes.ts';

/**
 * Fails with 65001 (`consent_required`) unless the user or an admin granted the client every
 * requested resource scope (for `.default`, every static permission). It applies the consent
 * page's own rule, so a code the page issued is never refused here; OIDC scopes are not checked.
 */
export function requireConsent(directory: Directory, tenantId: string, client: Application, userId: string, request: ScopeRequest): void {
  const missing = missingResourceConsent(directory, tenantId, client.appId, userId, request);
  if (missing.length === 0) return;
  throw new AadError(
    65001,
    `The user or administrator has not consented to use the application with ID '${client.appId}' named '${client.displayName.slice(0, 64)}'. Send an interactive authorization request for this user and resource. Missing: ${missing.join(' ').slice(0, 200)}.`,
    { suberror: 'consent_required' },
  );
}
