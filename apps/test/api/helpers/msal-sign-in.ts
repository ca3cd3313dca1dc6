import { randomUUID } from 'node:crypto';
import { ConfidentialClientApplication, CryptoProvider } from '@azure/msal-node';
import type { AuthenticationResult } from '@azure/msal-node';
import type { ApiTestEnv, DemoAlias } from './api-test-env.ts';

/** The demo web app as an unmodified MSAL Node confidential client of the emulator. */
export function webAppMsal(env: ApiTestEnv): ConfidentialClientApplication {
  const { devJson, url } = env.emulator;
  return new ConfidentialClientApplication({
    auth: {
      clientId: devJson.apps.web.clientId,
      clientSecret: devJson.apps.web.clientSecret,
      authority: devJson.authority,
      knownAuthorities: [new URL(url).host],
    },
  });
}

/** A browser's cookies, enough for the emulator's login transaction and SSO cookies. */
function cookieJar() {
  const cookies = new Map<string, string>();
  return async (url: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return response;
  };
}

function unescapeHtml(value: string): string {
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/**
 * Signs `alias` in to the web app through the emulator's login form driven over HTTP
 * (authorize → POST username/password → code), then redeems the code with MSAL (PKCE).
 */
export async function signInWithMsal(env: ApiTestEnv, alias: DemoAlias, scopes: string[]): Promise<AuthenticationResult> {
  const msal = webAppMsal(env);
  const redirectUri = env.emulator.devJson.apps.web.redirectUri;
  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  const nonce = randomUUID();
  const authorizeUrl = await msal.getAuthCodeUrl({ scopes, redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state: 'st', nonce });
  const browser = cookieJar();
  const page = await browser(authorizeUrl);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action || !html.includes('name="password"')) throw new Error(`expected the login form, got HTTP ${page.status}`);
  const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] ?? '', unescapeHtml(m[2] ?? '')]));
  const { username, password } = env.user(alias);
  const posted = await browser(new URL(unescapeHtml(action), env.emulator.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, username, password }),
  });
  const location = posted.headers.get('location');
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error(`expected a redirect with a code, got HTTP ${posted.status} ${location ?? (await posted.text()).slice(0, 300)}`);
  return msal.acquireTokenByCode({ code, scopes, redirectUri, codeVerifier: verifier, nonce });
}
