/**
 * Signs the emulator's administrator in as a client of the Azure CLI app, the way a browser
 * would: /authorize (PKCE) → the emulator's login form (username, password) → the redirect to
 * http://localhost with a code, which MSAL redeems. Entra offers no password grant for this, so
 * neither do we; the login form's field names are the emulator's public contract.
 */
import { readFile } from 'node:fs/promises';
import { CryptoProvider, PublicClientApplication } from '@azure/msal-node';
import { trustCaCertificate } from 'entrakit';
import { provisionError } from '../errors.ts';
import { AZURE_CLI_CLIENT_ID, cachedTokenSource, GRAPH_DEFAULT_SCOPE } from '../token-source.ts';
import type { TokenSource } from '../token-source.ts';

/** What this needs from DATA/dev.json. */
export interface EmulatorSignIn {
  url: string;
  caFile: string;
  authority: string;
  admin: { username: string; password: string };
  cliClientId: string;
}

/** Reads the emulator's coordinates and its admin from dev.json, naming the missing key. */
export function emulatorSignInFrom(dev: Record<string, unknown>, devJsonPath: string): EmulatorSignIn {
  const emulator = dev['emulator'] as { url?: unknown; caFile?: unknown } | undefined;
  const admin = dev['admin'] as { username?: unknown; password?: unknown } | undefined;
  const cli = (dev['apps'] as Record<string, { clientId?: unknown } | undefined> | undefined)?.['cli'];
  const need = (ok: boolean, key: string) => {
    if (!ok) throw provisionError('PROVISION_SIGN_IN_FAILED', `${devJsonPath} has no ${key}: start an emulator that seeds an administrator (entrakit emulator), or use --tenant / --token-file`);
  };
  need(typeof emulator?.url === 'string' && typeof emulator.caFile === 'string', 'emulator.url / emulator.caFile');
  need(typeof dev['authority'] === 'string', 'authority');
  need(typeof admin?.username === 'string' && typeof admin.password === 'string', '"admin": {"username", "password"}');
  return {
    url: emulator!.url as string,
    caFile: emulator!.caFile as string,
    authority: dev['authority'] as string,
    admin: { username: admin!.username as string, password: admin!.password as string },
    cliClientId: typeof cli?.clientId === 'string' ? cli.clientId : AZURE_CLI_CLIENT_ID,
  };
}

function unescapeHtml(value: string): string {
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** A cookie-keeping fetch that never follows redirects: the emulator's side of a browser. */
function browser(fetchImpl: typeof fetch) {
  const cookies = new Map<string, string>();
  return async (url: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetchImpl(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return response;
  };
}

const REDIRECT_URI = 'http://localhost';

export async function emulatorTokenSource(signIn: EmulatorSignIn, options: { fetch?: typeof fetch } = {}): Promise<TokenSource> {
  trustCaCertificate(await readFile(signIn.caFile, 'utf8'));
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const host = new URL(signIn.url).host;
  const msal = new PublicClientApplication({ auth: { clientId: signIn.cliClientId, authority: signIn.authority, knownAuthorities: [host] } });

  return cachedTokenSource(`${signIn.admin.username} (emulator ${signIn.url}, as the Azure CLI app)`, async () => {
    const fail = (why: string) => provisionError('PROVISION_SIGN_IN_FAILED', `signing ${signIn.admin.username} in to the emulator failed: ${why}`);
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
    const state = new CryptoProvider().createNewGuid();
    const authorizeUrl = await msal.getAuthCodeUrl({
      scopes: [GRAPH_DEFAULT_SCOPE],
      redirectUri: REDIRECT_URI,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      state,
      prompt: 'login',
      loginHint: signIn.admin.username,
    });
    const send = browser(fetchImpl);
    const form = await send(authorizeUrl);
    const page = await form.text();
    const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
    if (!action || !page.includes('name="password"')) throw fail(`/authorize answered HTTP ${form.status} without the login form`);
    const hidden = Object.fromEntries([...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] ?? '', unescapeHtml(m[2] ?? '')]));
    const posted = await send(new URL(unescapeHtml(action), signIn.url).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...hidden, username: signIn.admin.username, password: signIn.admin.password }),
    });
    const location = posted.headers.get('location');
    if (!location) throw fail(posted.status === 200 ? 'the password was refused, or the emulator asks for consent (the Azure CLI app must be preauthorized)' : `the login answered HTTP ${posted.status}`);
    const back = new URL(location, signIn.url);
    if (back.origin !== new URL(REDIRECT_URI).origin) throw fail(`redirected to ${back.origin}, not ${REDIRECT_URI}`);
    if (back.searchParams.get('state') !== state) throw fail('the response state does not match');
    const error = back.searchParams.get('error');
    if (error) throw fail(`${error}: ${(back.searchParams.get('error_description') ?? '').split('\n')[0]?.slice(0, 300)}`);
    const code = back.searchParams.get('code');
    if (!code) throw fail('the redirect carries no code');
    try {
      const result = await msal.acquireTokenByCode({ code, scopes: [GRAPH_DEFAULT_SCOPE], redirectUri: REDIRECT_URI, codeVerifier: verifier });
      return { accessToken: result.accessToken, expiresOn: result.expiresOn };
    } catch (cause) {
      throw provisionError('PROVISION_SIGN_IN_FAILED', `the emulator refused the code: ${(cause as { errorCode?: string }).errorCode ?? (cause as Error).message}`, { cause });
    }
  });
}
