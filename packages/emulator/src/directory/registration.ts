import { randomBytes } from 'node:crypto';
import type { Directory } from './directory.ts';
import { newGuid, stableGuid } from './ids.ts';
import type { Application, ServicePrincipal } from './types.ts';

const SECRET_LIFETIME_MS = 2 * 365 * 86_400_000;

export function newClientSecret(): string {
  // Entra-style secret: 40 characters, includes '~' and '.', which trip naive form encoders.
  return `${randomBytes(3).toString('hex').slice(0, 3)}8Q~${randomBytes(27).toString('base64url').replace(/-/g, '.')}`.slice(0, 40);
}

/** Registers an app and its service principal, as the Entra portal does in one step. */
export function registerApplication(directory: Directory, tenantId: string, app: Application): string {
  directory.objects.insert('application', tenantId, app.appId, app);
  const spId = stableGuid(`${tenantId}:sp:${app.appId}`);
  directory.objects.insert('servicePrincipal', tenantId, app.appId, servicePrincipalFor(app, tenantId, spId));
  return spId;
}

/**
 * The service principal of an app in its home tenant. What the protocol reads from it (scopes,
 * roles, App ID URIs, token version) follows the application, so it is derived here.
 */
export function servicePrincipalFor(app: Application, tenantId: string, id: string, existing?: ServicePrincipal): ServicePrincipal {
  const uris = [...new Set([...app.identifierUris, app.appId])];
  return {
    ...existing,
    id,
    appId: app.appId,
    displayName: app.displayName,
    servicePrincipalType: 'Application',
    accountEnabled: existing?.accountEnabled ?? true,
    appRoles: app.appRoles,
    oauth2PermissionScopes: app.api.oauth2PermissionScopes,
    servicePrincipalNames: existing ? uris : [app.appId, ...app.identifierUris],
    accessTokenVersion: app.api.requestedAccessTokenVersion === 2 ? 2 : 1,
    appOwnerOrganizationId: tenantId,
    ...(existing?.replyUrls ? { replyUrls: [...app.web.redirectUris, ...app.spa.redirectUris, ...app.publicClient.redirectUris] } : {}),
    ...(existing?.appDisplayName !== undefined ? { appDisplayName: app.displayName } : {}),
  };
}

/** After an application changed: its home-tenant service principal follows at once. */
export function syncServicePrincipal(directory: Directory, tenantId: string, app: Application): void {
  const sp = directory.findServicePrincipalByAppId(tenantId, app.appId);
  if (sp) directory.objects.update('servicePrincipal', app.appId, servicePrincipalFor(app, tenantId, sp.id, sp));
}

/** Adds a client secret; returns its plain value (shown once, as Entra does). */
export function addClientSecret(directory: Directory, app: Application, displayName: string, now: number): string {
  const value = newClientSecret();
  const keyId = newGuid();
  directory.credentials.addClientSecret(app.id, keyId, value, now + SECRET_LIFETIME_MS);
  app.passwordCredentials.push({
    keyId,
    displayName,
    hint: value.slice(0, 3),
    startDateTime: new Date(now).toISOString(),
    endDateTime: new Date(now + SECRET_LIFETIME_MS).toISOString(),
  });
  directory.objects.update('application', app.appId, app);
  return value;
}


/**
 * Adds web redirect URIs (and sets the front-channel logout URL) on an app registration, as an
 * admin would in the portal; the protocol endpoints see the change at once.
 */
export function addWebRedirectUris(directory: Directory, appId: string, uris: string[], logoutUrl?: string): void {
  const found = directory.findApplicationByClientId(appId);
  if (!found) throw new Error(`no application with appId ${appId}`);
  // Reads come from a frozen cache: change a copy, then store it.
  const app = structuredClone(found.app);
  for (const uri of uris) if (!app.web.redirectUris.includes(uri)) app.web.redirectUris.push(uri);
  if (logoutUrl !== undefined) app.web.logoutUrl = logoutUrl;
  directory.objects.update('application', app.appId, app);
}
