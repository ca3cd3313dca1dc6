const BASE = 'http://entrakit.invalid';
const MAX_LENGTH = 2048;

/**
 * Where to send the browser after sign-in: only a same-origin relative path. Anything else
 * (absolute URLs, `//host`, `/\host` which browsers read as `//host`, control characters, the
 * auth routes themselves) becomes `/`, so the app can never be used as an open redirect.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return '/';
  if (!value.startsWith('/') || value.startsWith('//')) return '/';
  // Backslashes and C0/DEL characters are normalised away by browsers in ways that change the host.
  if (value.includes('\\') || [...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) return '/';
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE) return '/';
  if (url.pathname === '/auth' || url.pathname.startsWith('/auth/')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
