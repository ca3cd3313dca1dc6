import type { Context } from 'hono';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why an admin write must be refused as cross-site, or undefined. The admin cookie is SameSite=Strict,
 * but a page on another port of the same host is same-site and would still send it: only the
 * emulator's own origin may write. Browsers send Sec-Fetch-Site and Origin on every such request;
 * tools (curl, tests) send neither and authenticate with the x-entrakit-admin header.
 */
export function crossSiteAdminWrite(c: Context, publicUrl: string): string | undefined {
  if (SAFE_METHODS.has(c.req.method)) return undefined;
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is ${site.slice(0, 40)}`;
  const origin = c.req.header('origin');
  // The emulator's pages send Referrer-Policy: no-referrer, under which Chromium posts their forms
  // with `Origin: null`; Sec-Fetch-Site then still tells a same-origin post apart.
  if (origin === 'null' && site === 'same-origin') return undefined;
  if (origin !== undefined && origin !== new URL(publicUrl).origin) return `Origin ${origin.slice(0, 100)} is not the emulator's`;
  return undefined;
}

/** Admin writes with a body take JSON only: a cross-site form or text/plain post cannot send it without a CORS preflight. */
export function adminWriteIsJson(c: Context): boolean {
  if (c.req.method !== 'POST' && c.req.method !== 'PUT' && c.req.method !== 'PATCH') return true;
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}
