import type { Application } from '../directory/types.ts';

export type RedirectPlatform = 'web' | 'spa' | 'publicClient';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * RFC 8252 7.3, as Entra applies it: for an `http` loopback redirect URI the port is ignored; the
 * host (localhost and 127.0.0.1 do not stand for each other), path and query must still match exactly.
 */
function loopbackMatch(registered: string, requested: string): boolean {
  if (!registered.startsWith('http://') || !requested.startsWith('http://')) return false;
  let a: URL;
  let b: URL;
  try {
    a = new URL(registered);
    b = new URL(requested);
  } catch {
    return false;
  }
  if (!LOOPBACK_HOSTS.has(a.hostname) || a.hostname !== b.hostname || a.username || a.password || b.username || b.password || b.hash) return false;
  // What follows the authority is compared byte for byte (the URL parser would normalise it);
  // a bare `http://localhost` stands for path `/`.
  const tail = (uri: string) => {
    const rest = uri.slice('http://'.length).replace(/^[^/?#]*/, '');
    return rest.startsWith('/') ? rest : `/${rest}`;
  };
  return tail(registered) === tail(requested);
}

/**
 * The platform under which the app registered this redirect URI, if any. Exact matches first; the
 * any-port loopback rule applies to public-client (native) redirect URIs, whose apps listen on an
 * ephemeral port (MSAL's interactive flows).
 */
export function redirectPlatform(app: Application, requested: string): RedirectPlatform | undefined {
  const platforms: Array<[RedirectPlatform, string[]]> = [
    ['web', app.web.redirectUris],
    ['spa', app.spa.redirectUris],
    ['publicClient', app.publicClient.redirectUris],
  ];
  for (const [platform, uris] of platforms) if (uris.includes(requested)) return platform;
  return app.publicClient.redirectUris.some((uri) => loopbackMatch(uri, requested)) ? 'publicClient' : undefined;
}
