import { randomUUID } from 'node:crypto';
import { ConfidentialClientApplication, CryptoProvider } from '@azure/msal-node';
import type { AuthenticationResult } from '@azure/msal-node';
import type { ApiTestEnv, DemoAlias } from './api-test-env.ts';
import { emulatorBrowser, submitEmulatorForm } from '../../helpers/emulator-browser.ts';

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
  const browser = emulatorBrowser();
  const page = await browser(authorizeUrl);
  const html = await page.text();
  if (!html.includes('name="password"')) throw new Error(`expected the login form, got HTTP ${page.status}`);
  const { username, password } = env.user(alias);
  const posted = await submitEmulatorForm(browser, env.emulator.url, html, { username, password });
  const location = posted.headers.get('location');
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error(`expected a redirect with a code, got HTTP ${posted.status} ${location ?? (await posted.text()).slice(0, 300)}`);
  return msal.acquireTokenByCode({ code, scopes, redirectUri, codeVerifier: verifier, nonce });
}
