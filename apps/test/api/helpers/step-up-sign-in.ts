import { CryptoProvider } from '@azure/msal-node';
import type { AuthenticationResult, ConfidentialClientApplication } from '@azure/msal-node';
import { totpCode } from '../../../../packages/emulator/src/mfa/totp.ts';
import type { ApiTestEnv, DemoAlias } from './api-test-env.ts';
import { submitEmulatorForm, type EmulatorBrowser } from '../../helpers/emulator-browser.ts';

/** Posts the page's form (hidden fields plus `fields`) as the browser would. */
function submit(env: ApiTestEnv, browser: EmulatorBrowser, html: string, fields: Record<string, string>): Promise<Response> {
  return submitEmulatorForm(browser, env.emulator.url, html, fields);
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
