/**
 * Cookie reading and writing over plain headers (no framework). On https every cookie gets the
 * `__Host-` prefix, so the browser insists on Secure, Path=/ and no Domain and no subdomain can
 * plant or read it; on http://localhost (development) the prefix is impossible, so plain names
 * without Secure are used.
 */
export interface CookiePolicy {
  /** `__Host-` on https, '' on http. */
  prefix: string;
  secure: boolean;
}

export function cookiePolicy(baseUrl: string): CookiePolicy {
  const secure = new URL(baseUrl).protocol === 'https:';
  return { prefix: secure ? '__Host-' : '', secure };
}

/** Every cookie of a Cookie header; the first value wins for a repeated name (as browsers send the most specific first). */
export function parseCookies(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name !== '' && value !== '' && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** A Set-Cookie line: HttpOnly, SameSite=Lax, Path=/, Secure on https. Values are base64url, never escaped. */
export function serializeCookie(policy: CookiePolicy, name: string, value: string, maxAgeSec: number): string {
  const attributes = [`${name}=${value}`, 'Path=/', `Max-Age=${Math.max(0, Math.floor(maxAgeSec))}`, 'HttpOnly', 'SameSite=Lax'];
  if (policy.secure) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearCookieLine(policy: CookiePolicy, name: string): string {
  return serializeCookie(policy, name, '', 0);
}
