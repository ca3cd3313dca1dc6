import type { Context } from 'hono';
import type { Directory } from '../directory/directory.ts';
import { resolveAuthority, type Authority } from '../protocol/tenant.ts';

/** Public metadata (discovery, JWKS, instance discovery) is readable from any origin, as Entra's is. */
export function allowAnyOrigin(c: Context): void {
  c.header('Access-Control-Allow-Origin', '*');
}

/** `scheme://host[:port]` of a URI, or undefined when it has no web origin. */
function originOf(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

interface SpaOrigins {
  /** The app's tenant, whether other tenants may use it (not AzureADMyOrg), and its SPA origins. */
  tenantId: string;
  multiTenant: boolean;
  appId: string;
  origins: Set<string>;
}

/** Every app with SPA redirect URIs and their origins; memoised until the directory changes. */
function spaApps(directory: Directory): readonly SpaOrigins[] {
  return directory.objects.memo('cors\0spa-apps', () => {
    const rows = directory.db.prepare("SELECT tenant_id, json FROM directory_objects WHERE type = 'application'").all() as Array<{ tenant_id: string; json: string }>;
    const apps: SpaOrigins[] = [];
    for (const row of rows) {
      const app = JSON.parse(row.json) as { appId?: unknown; signInAudience?: unknown; spa?: { redirectUris?: unknown } };
      const uris = Array.isArray(app.spa?.redirectUris) ? app.spa.redirectUris : [];
      const origins = new Set<string>();
      for (const uri of uris) {
        const origin = typeof uri === 'string' ? originOf(uri) : undefined;
        if (origin) origins.add(origin);
      }
      if (origins.size > 0 && typeof app.appId === 'string') {
        apps.push({ tenantId: row.tenant_id, multiTenant: app.signInAudience !== 'AzureADMyOrg', appId: app.appId.toLowerCase(), origins });
      }
    }
    return apps;
  });
}

/**
 * Whether `origin` belongs to a SPA that can use this authority: one registered in the tenant, or
 * a multi-tenant one (the only kind `common` and `organizations` serve). With `clientId` (the
 * token request's), only that app's origins count: one tenant's or app's SPA origin never opens
 * another's token endpoint.
 */
export function isSpaOriginFor(directory: Directory, authority: Authority, origin: string, clientId?: string): boolean {
  const wanted = clientId?.toLowerCase();
  return spaApps(directory).some(
    (app) =>
      app.origins.has(origin) &&
      (wanted === undefined || app.appId === wanted) &&
      (app.multiTenant || (authority.kind === 'tenant' && authority.tenant.id === app.tenantId)),
  );
}

const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/**
 * CORS for the token endpoint: only origins of SPAs that can use this authority, no credentials
 * (the token endpoint never reads cookies). The preflight echoes the requested header names
 * (MSAL.js sends its x-client-* headers). Called again with the request's client_id, it narrows
 * the answer to that app's origins.
 */
export function tokenCors(c: Context, directory: Directory, authority: Authority | undefined, preflight: boolean, clientId?: string): boolean {
  c.header('Vary', 'Origin');
  const origin = c.req.header('origin');
  if (!origin || !authority || !isSpaOriginFor(directory, authority, origin, clientId)) {
    c.header('Access-Control-Allow-Origin', undefined);
    return false;
  }
  c.header('Access-Control-Allow-Origin', origin);
  if (preflight) {
    c.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
    const requested = c.req.header('access-control-request-headers');
    c.header('Access-Control-Allow-Headers', requested && requested.length <= 1024 && HEADER_LIST.test(requested) ? requested : 'content-type');
    c.header('Access-Control-Max-Age', '86400');
  }
  return true;
}

/** The authority the `{tenant}` segment names, or undefined when it names none (no CORS then). */
export function corsAuthority(directory: Directory, segment: string): Authority | undefined {
  try {
    return resolveAuthority(directory, segment);
  } catch {
    return undefined;
  }
}
