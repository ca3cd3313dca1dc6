const BASE = 'http://entrakit.invalid';
const MAX_LENGTH = 2048;

/**
 * Where to send the browser after sign-in: only a same-origin relative path. Anything else
 * (absolute URLs, `//host`, `/\host` which browsers read as `//host`, control characters, the
 * auth routes themselves) becomes `/`, so the app can never be used as an open redirect.
 *
 * The value returned is the normalised one (dot segments resolved: `/.//evil.example` becomes
 * `//evil.example`), so the checks run on that value, not only on the input.
 */
export function safeReturnTo(value: unknown): string {
  if (!isSafeRelativePath(value)) return '/';
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE) return '/';
  if (url.pathname === '/auth' || url.pathname.startsWith('/auth/')) return '/';
  const normalised = `${url.pathname}${url.search}${url.hash}`;
  // What we return must pass the same checks, and must not change when normalised again.
  if (!isSafeRelativePath(normalised) || new URL(normalised, BASE).href !== url.href) return '/';
  return normalised;
}

/** One leading slash, no second slash or backslash after it, no C0/DEL characters, not too long. */
function isSafeRelativePath(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return false;
  if (!value.startsWith('/') || value.startsWith('//')) return false;
  // Backslashes and C0/DEL characters are normalised away by browsers in ways that change the host.
  return !value.includes('\\') && ![...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
}
