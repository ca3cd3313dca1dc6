/**
 * Why a redirect URI failed the exact match, in words: most AADSTS50011 errors are one small
 * difference from a registered URI (a trailing slash, http versus https, a port, letter case).
 */
export function redirectUriNearMiss(sent: string, registered: readonly string[]): string {
  if (registered.length === 0) return 'the app has no redirect URI registered';
  const closest = registered.map((r) => ({ r, reason: difference(sent, r) })).find((c) => c.reason !== undefined);
  if (closest) return `redirect URI differs from the registered one by ${closest.reason} (sent ${sent}, registered ${closest.r})`;
  return `redirect URI ${sent} matches none of the ${registered.length} registered (${registered.slice(0, 5).join(', ')}); Entra compares them byte for byte`;
}

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

function difference(sent: string, registered: string): string | undefined {
  if (sent.replace(/\/+$/, '') === registered.replace(/\/+$/, '')) return 'a trailing slash';
  if (sent.toLowerCase() === registered.toLowerCase()) return 'letter case';
  const a = parse(sent);
  const b = parse(registered);
  if (!a || !b) return undefined;
  const same = (x: URL, y: URL, parts: Array<keyof URL>) => parts.every((p) => String(x[p]).toLowerCase() === String(y[p]).toLowerCase());
  if (a.protocol !== b.protocol && same(a, b, ['hostname', 'port', 'pathname', 'search'])) return `its scheme (${a.protocol.slice(0, -1)} instead of ${b.protocol.slice(0, -1)})`;
  if (a.port !== b.port && same(a, b, ['protocol', 'hostname', 'pathname', 'search'])) return `its port (${a.port || 'default'} instead of ${b.port || 'default'})`;
  if (a.hostname !== b.hostname && same(a, b, ['protocol', 'port', 'pathname', 'search'])) return `its host (${a.hostname} instead of ${b.hostname})`;
  if (a.pathname !== b.pathname && same(a, b, ['protocol', 'hostname', 'port', 'search'])) return `its path (${a.pathname} instead of ${b.pathname})`;
  if (a.search !== b.search && same(a, b, ['protocol', 'hostname', 'port', 'pathname'])) return 'its query string';
  return undefined;
}
