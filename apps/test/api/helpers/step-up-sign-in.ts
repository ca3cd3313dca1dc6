import { CryptoProvider } from '@azure/msal-node';
import type { AuthenticationResult, ConfidentialClientApplication } from '@azure/msal-node';
import { totpCode } from '../../../../packages/emulator/src/mfa/totp.ts';
import type { ApiTestEnv, DemoAlias } from './api-test-env.ts';

/** A browser's cookies for the emulator (login transaction and SSO cookies). */
export function emulatorBrowser() {
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
export type EmulatorBrowser = ReturnType<typeof emulatorBrowser>;

const unescapeHtml = (value: string): string => value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** Posts the page's form (hidden fields plus `fields`) as the browser would. */
function submit(env: ApiTestEnv, browser: EmulatorBrowser, html: string, fields: Record<string, string>): Promise<Response> {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error('no form on the page');
  const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] ?? '', unescapeHtml(m[2] ?? '')]));
  return browser(new URL(unescapeHtml(action), env.emulator.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, ...fields }),
  });
}

/** What the emulator asked on the way: the password form, the second-factor page. */
export interface Interaction {
  password: boolean;
  secondFactor: boolean;
}

/**
 * Drives /authorize in `browser` (keeping its SSO session) for `msal`, answering the password form
 * and the second-factor page (TOTP from dev.json) when shown, then redeems the code with `claims`.
 */
export async function authorizeWithMsal(
  env: ApiTestEnv,
  msal: ConfidentialClientApplication,
  browser: EmulatorBrowser,
  alias: DemoAlias,
  request: { scopes: string[]; claims?: string },
): Promise<{ result: AuthenticationResult; asked: Interaction }> {
  const redirectUri = env.emulator.devJson.apps.web.redirectUri;
  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  const url = await msal.getAuthCodeUrl({ scopes: request.scopes, redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', ...(request.claims ? { claims: request.claims } : {}) });
  const asked: Interaction = { password: false, secondFactor: false };
  const user = env.user(alias) as { username: string; password: string; totpSecret?: string };
  let response = await browser(url);
  for (let step = 0; step < 4 && response.status === 200; step++) {
    const html = await response.text();
    if (html.includes('name="password"')) {
      asked.password = true;
      response = await submit(env, browser, html, { username: user.username, password: user.password });
    } else if (html.includes('name="otc"')) {
      asked.secondFactor = true;
      if (!user.totpSecret) throw new Error(`${alias} has no TOTP secret in dev.json`);
      response = await submit(env, browser, html, { otc: totpCode(user.totpSecret, Date.now()) });
    } else {
      throw new Error(`unexpected page: ${html.slice(0, 200)}`);
    }
  }
  const location = response.headers.get('location');
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error(`expected a redirect with a code, got HTTP ${response.status} ${location ?? ''}`);
  const result = await msal.acquireTokenByCode({ code, scopes: request.scopes, redirectUri, codeVerifier: verifier, ...(request.claims ? { claims: request.claims } : {}) });
  return { result, asked };
}
