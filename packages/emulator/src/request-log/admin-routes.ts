import type { Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { timingSafeStringEqual } from 'entrakit/internal';
import type { EmulatorDeps } from '../deps.ts';
import { mac } from '../sign-in/signing.ts';
import { adminSignInPage, requestLogPage } from '../views/request-log-page.ts';
import { newNonce, sendPage } from '../views/respond.ts';
import type { RequestLogFilter } from './request-log.ts';

type AdminDeps = Pick<EmulatorDeps, 'requestLog' | 'adminKey' | 'cookieSecret'>;

/** Opens the admin pages in a browser: HttpOnly, SameSite=Strict (no cross-site use), a MAC of the key, never the key. */
export const ADMIN_COOKIE = '__Host-entrakit-admin';

function adminCookieValue(deps: AdminDeps): string {
  return mac(deps.cookieSecret, 'admin-cookie', deps.adminKey);
}

/** The admin key header, or (browsers) the admin cookie. */
export function isAdmin(c: Context, deps: AdminDeps): boolean {
  const header = c.req.header('x-entrakit-admin');
  if (header !== undefined) return timingSafeStringEqual(header, deps.adminKey);
  const cookie = getCookie(c, ADMIN_COOKIE);
  return cookie !== undefined && timingSafeStringEqual(cookie, adminCookieValue(deps));
}

function filterFrom(c: Context): RequestLogFilter {
  const filter: RequestLogFilter = {};
  const q = (name: string) => {
    const value = c.req.query(name);
    return value === undefined || value === '' ? undefined : value.slice(0, 100);
  };
  const clientRequestId = q('clientRequestId');
  const clientId = q('clientId');
  const endpoint = q('endpoint');
  const after = q('after');
  const limit = q('limit');
  if (clientRequestId !== undefined) filter.clientRequestId = clientRequestId;
  if (clientId !== undefined) filter.clientId = clientId;
  if (endpoint !== undefined) filter.endpoint = endpoint;
  if (after !== undefined && /^\d{1,15}$/.test(after)) filter.after = Number(after);
  if (limit !== undefined && /^\d{1,6}$/.test(limit)) filter.limit = Number(limit);
  return filter;
}

function wantsHtml(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  return accept.includes('text/html') && !accept.startsWith('application/json');
}

/**
 * `GET /_admin/requests`: JSON `{requests:[...]}` (newest first) for tools, an HTML table for
 * browsers (Accept: text/html). `DELETE` empties the log. `/_admin/sign-in` sets the admin cookie.
 */
export function requestLogRoutes(app: Hono, deps: AdminDeps): void {
  app.get('/_admin/sign-in', async (c) => {
    const nonce = newNonce();
    return sendPage(c, adminSignInPage(nonce, false), 200, { nonce });
  });
  app.post('/_admin/sign-in', async (c) => {
    const form = new URLSearchParams((await c.req.text()).slice(0, 4096));
    if (!timingSafeStringEqual(form.get('key') ?? '', deps.adminKey)) {
      const nonce = newNonce();
      return sendPage(c, adminSignInPage(nonce, true), 403, { nonce });
    }
    setCookie(c, ADMIN_COOKIE, adminCookieValue(deps), { httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    c.header('Cache-Control', 'no-store');
    return c.redirect('/_admin/requests', 303);
  });
  app.get('/_admin/requests', async (c) => {
    const filter = filterFrom(c);
    const requests = deps.requestLog.list(filter);
    c.header('Cache-Control', 'no-store');
    if (wantsHtml(c)) {
      const nonce = newNonce();
      const { clientRequestId, clientId, endpoint } = filter;
      const model = { entries: requests, capacity: deps.requestLog.capacity, ...(clientRequestId ? { clientRequestId } : {}), ...(clientId ? { clientId } : {}), ...(endpoint ? { endpoint } : {}) };
      return sendPage(c, requestLogPage(model, nonce), 200, { nonce });
    }
    return c.json({ capacity: deps.requestLog.capacity, requests });
  });
  app.delete('/_admin/requests', (c) => {
    deps.requestLog.clear();
    return c.body(null, 204);
  });
}
