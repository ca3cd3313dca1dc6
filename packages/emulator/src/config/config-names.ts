/** How a tenant file's tenants, apps and Microsoft resources are named and given stable ids. */
import { stableGuid } from '../directory/ids.ts';
import { GRAPH_APP_ID, STORAGE_APP_ID } from '../protocol/microsoft-resources.ts';
import type { ConfigApp, ConfigTenant } from './schema.ts';

/** The names (lower case) a tenant file may use for Microsoft Graph and for Azure Storage. */
export const GRAPH_NAMES = new Set(['microsoft graph', 'graph', 'https://graph.microsoft.com', 'https://graph.microsoft.com/', GRAPH_APP_ID]);
export const STORAGE_NAMES = new Set(['azure storage', 'storage', 'https://storage.azure.com', 'https://storage.azure.com/', STORAGE_APP_ID]);

export const tenantIdOf = (t: ConfigTenant) => (t.id ?? stableGuid(`config-tenant:${t.domain.toLowerCase()}`)).toLowerCase();
export const appIdOf = (tid: string, a: ConfigApp) => (a.appId ?? stableGuid(`config-app:${tid}:${a.displayName}`)).toLowerCase();
export const appNameOf = (a: ConfigApp) => a.name ?? (a.displayName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'app');
