import { APP_SERVICE_PATH, IMDS_PATH } from '../protocol/managed-identities.ts';
import type { LoggedEndpoint } from './request-log.ts';

/** Which logged endpoint a path belongs to, and its tenant segment; undefined for paths not logged. */
export function classifyPath(path: string): { endpoint: LoggedEndpoint; tenant: string | null } | undefined {
  if (path === '/v1.0' || path.startsWith('/v1.0/') || path === '/beta' || path.startsWith('/beta/')) return { endpoint: 'graph', tenant: null };
  if (path === '/oidc/userinfo') return { endpoint: 'userinfo', tenant: null };
  // Both managed identity protocols; Azure's endpoints (and MSAL) use them with or without a trailing slash.
  if (path.replace(/\/$/, '') === APP_SERVICE_PATH || path.replace(/\/$/, '') === IMDS_PATH) return { endpoint: 'managed-identity', tenant: null };
  const parts = path.split('/');
  const tenant = parts[1] ? safeDecode(parts[1]) : null;
  const rest = parts.slice(2).join('/').toLowerCase();
  const endpoint: LoggedEndpoint | undefined =
    rest === 'oauth2/v2.0/authorize' ? 'authorize'
    : rest === 'oauth2/v2.0/token' ? 'token'
    : rest === 'oauth2/v2.0/logout' ? 'logout'
    : rest === 'oauth2/v2.0/devicecode' ? 'devicecode'
    : rest === 'oauth2/deviceauth' || rest.startsWith('oauth2/deviceauth/') ? 'deviceauth'
    : rest === 'login' ? 'login'
    : rest === 'consent' ? 'consent'
    : rest.startsWith('userrealm/') ? 'userrealm'
    : undefined;
  return endpoint ? { endpoint, tenant } : undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment).slice(0, 100);
  } catch {
    return segment.slice(0, 100);
  }
}
