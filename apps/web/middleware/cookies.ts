import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Context } from 'hono';

/**
 * Cookie names and attributes. On https the `__Host-` prefix makes the browser insist on Secure,
 * Path=/ and no Domain, so no subdomain can plant or read them; on http://localhost (dev) the
 * prefix is impossible, so plain names are used.
 */
export interface CookiePolicy {
  session: string;
  transaction: string;
  secure: boolean;
}

export function cookiePolicy(baseUrl: string): CookiePolicy {
  const secure = new URL(baseUrl).protocol === 'https:';
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}entrakit-session`, transaction: `${prefix}entrakit-signin`, secure };
}

export function readCookie(c: Context, name: string): string | undefined {
  const value = getCookie(c, name);
  return value === undefined || value === '' ? undefined : value;
}

export function writeCookie(c: Context, policy: CookiePolicy, name: string, value: string, maxAgeSec: number): void {
  setCookie(c, name, value, { path: '/', httpOnly: true, sameSite: 'Lax', secure: policy.secure, maxAge: Math.max(0, Math.floor(maxAgeSec)) });
}

export function clearCookie(c: Context, policy: CookiePolicy, name: string): void {
  deleteCookie(c, name, { path: '/', httpOnly: true, sameSite: 'Lax', secure: policy.secure });
}
