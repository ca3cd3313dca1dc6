import type { Context } from 'hono';
import type { Directory } from '../directory/directory.ts';

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

/** Origins of every registered SPA redirect URI (any tenant); memoised until the directory changes. */
export function spaOrigins(directory: Directory): ReadonlySet<string> {
  return directory.objects.memo('cors\0spa-origins', () => {
    const rows = directory.db.prepare("SELECT json FROM directory_objects WHERE type = 'application'").all() as Array<{ json: string }>;
    const origins = new Set<string>();
    for (const row of rows) {
      const app = JSON.parse(row.json) as { spa?: { redirectUris?: unknown } };
      const uris = Array.isArray(app.spa?.redirectUris) ? app.spa.redirectUris : [];
      for (const uri of uris) {
        const origin = typeof uri === 'string' ? originOf(uri) : undefined;
        if (origin) origins.add(origin);
      }
    }
    return origins;
  });
}

/** The request's Origin when a registered SPA may call the token endpoint from it. */
export function allowedSpaOrigin(c: Context, directory: Directory): string | undefined {
  const origin = c.req.header('origin');
  return origin && spaOrigins(directory).has(origin) ? origin : undefined;
}

const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/**
 * CORS for the token endpoint: only SPA origins, no credentials (the token endpoint never reads
 * cookies). The preflight echoes the requested header names (MSAL.js sends its x-client-* headers).
 */
export function tokenCors(c: Context, directory: Directory, preflight: boolean): boolean {
  c.header('Vary', 'Origin');
  const origin = allowedSpaOrigin(c, directory);
  if (!origin) return false;
  c.header('Access-Control-Allow-Origin', origin);
  if (preflight) {
    c.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
    const requested = c.req.header('access-control-request-headers');
    c.header('Access-Control-Allow-Headers', requested && requested.length <= 1024 && HEADER_LIST.test(requested) ? requested : 'content-type');
    c.header('Access-Control-Max-Age', '86400');
  }
  return true;
}
