import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { randomId, signValue, verifySignedValue } from './signing.ts';

/**
 * The SSO cookie (Entra's ESTSAUTH). SameSite=None as Entra does: it must reach /authorize on
 * cross-site form POSTs and in hidden-iframe silent renewals (prompt=none), not only on top-level
 * GET redirects. What it unlocks is limited by the exact redirect-URI match, and the login and
 * consent forms carry their own CSRF tokens. `__Host-` pins it to this origin (Secure, Path=/).
 */
export const SSO_COOKIE = '__Host-entrakit-sso';
/** Random per-browser id that binds login transactions and their CSRF tokens to one browser. */
export const BROWSER_COOKIE = '__Host-entrakit-browser';

const SSO_PURPOSE = 'sso-cookie';
const BROWSER_ID = /^[A-Za-z0-9_-]{43}$/;

export function readSsoCookie(c: Context, secret: Uint8Array): string | undefined {
  return verifySignedValue(secret, SSO_PURPOSE, getCookie(c, SSO_COOKIE));
}

/** The SSO cookie's value for a session id (signed, so only the emulator can make one). */
export function ssoCookieValue(secret: Uint8Array, sid: string): string {
  return signValue(secret, SSO_PURPOSE, sid);
}

export function setSsoCookie(c: Context, secret: Uint8Array, sid: string): void {
  // A browser-session cookie, like ESTSAUTH; the server-side record carries the real lifetime.
  setCookie(c, SSO_COOKIE, ssoCookieValue(secret, sid), { httpOnly: true, secure: true, sameSite: 'None', path: '/' });
}

export function clearSsoCookie(c: Context): void {
  deleteCookie(c, SSO_COOKIE, { httpOnly: true, secure: true, sameSite: 'None', path: '/' });
}

export function readBrowserId(c: Context): string | undefined {
  const value = getCookie(c, BROWSER_COOKIE);
  return value && BROWSER_ID.test(value) ? value : undefined;
}

/** The browser's id, set on first use. Lax is enough: only our own pages post back to us. */
export function ensureBrowserId(c: Context): string {
  const existing = readBrowserId(c);
  if (existing) return existing;
  const id = randomId();
  setCookie(c, BROWSER_COOKIE, id, { httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
  return id;
}
