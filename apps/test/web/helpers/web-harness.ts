import assert from 'node:assert/strict';
/**
 * The real web app, in-process, against the test identity provider: config through loadWebConfig,
 * stores on a SQLite file, and a tiny cookie-keeping "browser" that does not follow redirects.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { createWebApp } from '../../../web/app.ts';
import { loadWebConfig } from '../../../web/config.ts';
import type { WebConfig } from '../../../web/config.ts';
import type { AppLogger } from '../../../shared/logger.ts';
import { openWebStores } from '../../../web/stores.ts';
import type { WebStores } from '../../../web/stores.ts';
import { IDP_CLIENT_ID, IDP_TENANT_ID } from './test-idp.ts';
import type { TestIdp } from './test-idp.ts';

export const APP_ORIGIN = 'http://localhost:5000';

export interface Browser {
  cookies: Map<string, string>;
  get(path: string): Promise<Response>;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

export function createBrowser(app: { fetch(request: Request): Response | Promise<Response> }): Browser {
  const cookies = new Map<string, string>();
  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await app.fetch(new Request(new URL(path, APP_ORIGIN), { ...init, headers, redirect: 'manual' }));
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  }
  return {
    cookies,
    get: (path) => send(path),
    post: (path, form, headers = { origin: APP_ORIGIN }) =>
      send(path, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }),
  };
}

export interface WebHarness {
  config: WebConfig;
  stores: WebStores;
  app: ReturnType<typeof createWebApp>;
  browser: Browser;
  sessionCount(): Promise<number>;
  /** Sign-in leg 1 + the IdP's redirect: the callback path (with code and state) the IdP sent back. */
  startSignIn(returnTo?: string): Promise<{ callback: string; authorizeUrl: URL }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra or overriding environment variables (e.g. ENTRA_TENANT_ID=common). */
  env?: Record<string, string>;
  logger?: AppLogger;
  /** Clock for the app and its stores (session timeouts); defaults to Date.now. */
  clock?: () => number;
}

export async function startWebHarness(idp: TestIdp, dataDir: string, options: HarnessOptions = {}): Promise<WebHarness> {
  const config = await loadWebConfig({
    env: {
      ENTRA_INSTANCE: idp.url,
      ENTRA_TENANT_ID: IDP_TENANT_ID,
      ENTRA_CLIENT_ID: IDP_CLIENT_ID,
      ENTRA_CLIENT_SECRET: idp.clientSecret,
      WEB_BASE_URL: APP_ORIGIN,
      STORE_URL: `sqlite:${join(dataDir, 'web.db')}`,
      LOG_LEVEL: 'silent',
      ...options.env,
    },
    dataDir,
  });
  const stores = openWebStores(config.storeUrl, {
    tokenCacheKey: config.tokenCacheKey,
    sessionIdleMs: config.sessionIdleMs,
    sessionAbsoluteMs: config.sessionAbsoluteMs,
    clock: options.clock ?? Date.now,
  });
  const app = createWebApp({ config, stores, clock: options.clock ?? Date.now, logger: options.logger ?? pino({ level: 'silent' }) });
  const browser = createBrowser(app);
  return {
    config,
    stores,
    app,
    browser,
    sessionCount: async () => (await stores.kv.keys('web:session:')).length,
    async startSignIn(returnTo = '/tokens') {
      const start = await browser.get(`/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
      if (start.status !== 302) throw new Error(`sign-in answered ${start.status}`);
      const authorizeUrl = new URL(start.headers.get('location') ?? '');
      const atIdp = await fetch(authorizeUrl, { redirect: 'manual' });
      const back = new URL(atIdp.headers.get('location') ?? '');
      return { callback: `${back.pathname}${back.search}`, authorizeUrl };
    },
    close: () => stores.close(),
  };
}

/**
 * A token-cache entry as stored must be ciphertext: MSAL's cache JSON ("AccessToken", "IdToken",
 * "RefreshToken" sections, "secret" values) is readable neither in the stored text nor in its
 * decoded bytes. (A 3-character probe such as "eyJ" also turns up in random ciphertext now and then.)
 */
export function assertEncryptedAtRest(stored: string, message: string): void {
  assert.match(stored, /^v1\./, message);
  const ciphertext = Buffer.from(stored.split('.').at(-1) ?? '', 'base64url').toString('latin1');
  for (const plain of ['AccessToken', 'IdToken', 'RefreshToken', '"secret"']) {
    assert.ok(!stored.includes(plain) && !ciphertext.includes(plain), `${message} (found ${plain})`);
  }
}
