/**
 * The real emulator (HTTPS, strict refresh-token reuse detection) with the real web app in-process
 * (real MSAL Node), and "browsers" that keep two cookie jars: one for the app, one for the
 * identity provider, so SSO works as in a real browser. Several app instances may share one
 * store (Redis) and a browser may talk to any of them.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { addClientSecret, registerApplication } from '@entrakit/emulator';
import { newApplication } from '../../../../packages/emulator/src/directory/new-application.ts';
import { GRAPH_APP_ID } from '../../../../packages/emulator/src/protocol/microsoft-resources.ts';
import { startEmulator } from '../../../../packages/emulator/src/server.ts';
import type { RunningEmulator } from '../../../../packages/emulator/src/server.ts';
import { trustCaCertificate } from '../../../../packages/entrakit/src/core/trust-ca.ts';
import { createWebApp } from '../../../web/app.ts';
import { loadWebConfig } from '../../../web/config.ts';
import type { WebConfig } from '../../../web/config.ts';
import { createAppLogger } from '../../../shared/logger.ts';
import { openWebStores } from '../../../web/stores.ts';
import type { WebStores } from '../../../web/stores.ts';

export const APP_ORIGIN = 'http://localhost:5000';
export type DemoAlias = 'adele' | 'alex' | 'megan';

export interface WebInstance {
  config: WebConfig;
  stores: WebStores;
  app: ReturnType<typeof createWebApp>;
  /** Token-endpoint requests this instance sent with grant_type=refresh_token. */
  refreshRequests: number;
  /** Token-endpoint requests this instance sent (any grant). */
  tokenRequests: number;
  /** Lines the instance logged (JSON). */
  logLines: string[];
  /**
   * While true, the token endpoint's answers reach the app with expires_in 60: inside MSAL's
   * 5-minute renewal window, as if an hour had passed, so the next use redeems the refresh token.
   */
  issueDueTokens: boolean;
  /** The refresh token of the last token-endpoint answer (what an attacker on the wire would take). */
  lastRefreshToken: string | undefined;
  /** The access tokens the token endpoint answered, oldest first, with their scope. */
  accessTokens: Array<{ scope: string; token: string }>;
  close(): Promise<void>;
}

export interface InstanceOptions {
  /** Defaults to a SQLite file in the test folder (shared by instances started without a storeUrl). */
  storeUrl?: string;
  env?: Record<string, string>;
  /** Wraps the instance's fetch (after the refresh counter). */
  wrapFetch?: (inner: typeof fetch) => typeof fetch;
  /** The app's wait between retries (Retry-After); defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Clock of the app and its stores (session timeouts); defaults to Date.now. */
  clock?: () => number;
  /** Default 'info'. */
  logLevel?: 'trace' | 'debug' | 'info';
}

export interface EmulatorWeb {
  emulator: RunningEmulator;
  dataDir: string;
  clientId: string;
  tenantId: string;
  startInstance(options?: InstanceOptions): Promise<WebInstance>;
  user(alias: DemoAlias): { username: string; password: string };
  /** Refresh-token families the emulator revoked (reuse detection). */
  revokedFamilies(): Promise<string[]>;
  /** A call to the emulator's admin endpoints (/_admin/…) with its admin key. */
  admin(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

function unescapeHtml(value: string): string {
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

export interface EmulatorWebOptions {
  /** The app registration's audience; 'AzureADMultipleOrgs' lets it sign in through /common and /organizations. */
  signInAudience?: 'AzureADMyOrg' | 'AzureADMultipleOrgs';
  /** The emulator's clock (milliseconds); the apps keep the real one. Default Date.now. */
  emulatorClock?: () => number;
}

export async function startEmulatorWeb(options: EmulatorWebOptions = {}): Promise<EmulatorWeb> {
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-web-emu-'));
  // Strict mode: a second redemption of a rotated refresh token revokes the whole sign-in. Given
  // as an option, not through process.env, so it does not leak into later tests of the process.
  const emulator = await startEmulator({ dataDir: join(dataDir, 'emulator'), port: 0, refreshTokenReuse: 'revoke-family', ...(options.emulatorClock ? { clock: options.emulatorClock } : {}) });
  trustCaCertificate(emulator.caPem);
  const { directory } = emulator.deps;
  const tenantId = emulator.devJson.tenantId;
  const clientId = randomUUID();
  const registration = newApplication({
    appId: clientId,
    displayName: 'entrakit web (reliability tests)',
    ...(options.signInAudience ? { signInAudience: options.signInAudience } : {}),
    web: { redirectUris: [`${APP_ORIGIN}/auth/callback`, `${APP_ORIGIN}/`], logoutUrl: `${APP_ORIGIN}/auth/frontchannel-logout` },
  });
  registerApplication(directory, tenantId, registration);
  const secret = addClientSecret(directory, registration, 'tests', Date.now());
  directory.consents.grant(tenantId, clientId, GRAPH_APP_ID, '', ['User.Read', 'openid', 'profile', 'email', 'offline_access']);
  // Admin consent to the demo API too, so the story page gets its token without a consent page.
  directory.consents.grant(tenantId, clientId, emulator.devJson.apps.api.clientId, '', ['user_impersonation']);
  // Shared by every instance, as several instances of one deployment must share it.
  const tokenCacheKey = randomBytes(32).toString('base64');
  const instances = new Set<WebInstance>();

  const user = (alias: DemoAlias) => {
    const found = emulator.devJson.users.find((u) => u.username.startsWith(`${alias}@`));
    if (!found) throw new Error(`no demo user ${alias}`);
    return found;
  };

  return {
    emulator,
    dataDir,
    clientId,
    tenantId,
    user,
    revokedFamilies: () => emulator.deps.state.keys('rt-family-revoked:'),
    admin: (method, path, body) =>
      fetch(`${emulator.url}${path}`, {
        method,
        headers: { 'x-entrakit-admin': emulator.devJson.emulator.adminKey ?? '', 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    async startInstance(options = {}) {
      const logLines: string[] = [];
      const destination = new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      });
      const logger = createAppLogger({ level: options.logLevel ?? 'info', destination });
      const clock = options.clock ?? Date.now;
      const config = await loadWebConfig({
        env: {
          AZURE_AUTHORITY_HOST: emulator.url,
          AZURE_TENANT_ID: tenantId,
          AZURE_CLIENT_ID: clientId,
          AZURE_CLIENT_SECRET: secret,
          WEB_BASE_URL: APP_ORIGIN,
          TOKEN_CACHE_KEY: tokenCacheKey,
          STORE_URL: options.storeUrl ?? `sqlite:${join(dataDir, 'web', 'web.db')}`,
          LOG_LEVEL: 'info',
          ...options.env,
        },
        dataDir: join(dataDir, 'web'),
      });
      const stores = openWebStores(config.storeUrl, { sessionAbsoluteMs: config.sessionAbsoluteMs, clock });
      const instance: WebInstance = {
        config,
        stores,
        app: undefined as unknown as ReturnType<typeof createWebApp>,
        refreshRequests: 0,
        tokenRequests: 0,
        logLines,
        issueDueTokens: false,
        lastRefreshToken: undefined,
        accessTokens: [],
        async close() {
          instances.delete(instance);
          await stores.close();
        },
      };
      const counting: typeof fetch = async (input, init) => {
        const body = init?.body;
        if (!(init?.method === 'POST' && typeof body === 'string' && new URLSearchParams(body).has('grant_type'))) return fetch(input, init);
        instance.tokenRequests += 1;
        if (new URLSearchParams(body).get('grant_type') === 'refresh_token') instance.refreshRequests += 1;
        const response = await fetch(input, init);
        if (!response.ok) return response;
        const answer = (await response.json()) as Record<string, unknown>;
        if (typeof answer['refresh_token'] === 'string') instance.lastRefreshToken = answer['refresh_token'];
        if (typeof answer['access_token'] === 'string') instance.accessTokens.push({ scope: String(answer['scope'] ?? ''), token: answer['access_token'] });
        if (instance.issueDueTokens) Object.assign(answer, { expires_in: 60, ext_expires_in: 60 });
        const headers = new Headers(response.headers);
        headers.delete('content-length');
        return new Response(JSON.stringify(answer), { status: response.status, headers });
      };
      instance.app = createWebApp({
        config,
        stores,
        logger,
        clock,
        fetch: options.wrapFetch ? options.wrapFetch(counting) : counting,
        ...(options.sleep ? { sleep: options.sleep } : {}),
      });
      instances.add(instance);
      return instance;
    },
    async close() {
      for (const instance of [...instances]) await instance.close();
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  /** The app's cookies (name → value). */
  cookies: Map<string, string>;
  /** The instance the next request goes to (several instances behind one load balancer). */
  use(instance: WebInstance): void;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  /** GET at the identity provider with its cookies (no redirects followed). */
  idp(url: string, init?: RequestInit): Promise<Response>;
  /** From a 302 to /authorize: signs in (password form, or SSO) and returns the app's callback path. */
  authorize(authorizeUrl: string, alias: DemoAlias): Promise<string>;
  /** Sign-in leg 1 and the identity provider's answer: the callback path (code and state) it sent back. */
  startSignIn(alias: DemoAlias, returnTo?: string): Promise<{ callback: string; authorizeUrl: URL }>;
  /** The whole round trip from /auth/sign-in?returnTo=…: returns the callback's response. */
  signIn(alias: DemoAlias, returnTo?: string): Promise<Response>;
  /** Follows the app's own redirects (sign-in included) until a non-redirect answer. */
  follow(response: Response, alias: DemoAlias): Promise<{ response: Response; visited: string[] }>;
}

export function createBrowser(env: EmulatorWeb, first: WebInstance): Browser {
  const cookies = new Map<string, string>();
  const idpCookies = new Map<string, string>();
  let instance = first;

  function keep(jar: Map<string, string>, response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, value);
    }
  }

  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await instance.app.fetch(new Request(new URL(path, APP_ORIGIN), { ...init, headers, redirect: 'manual' }));
    keep(cookies, response);
    return response;
  }

  const browser: Browser = {
    cookies,
    use(next) {
      instance = next;
    },
    get: (path, headers = {}) => send(path, { headers }),
    post: (path, form, headers = { origin: APP_ORIGIN }) =>
      send(path, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }),
    async idp(url, init = {}) {
      const headers = new Headers(init.headers);
      if (idpCookies.size > 0) headers.set('cookie', [...idpCookies].map(([name, value]) => `${name}=${value}`).join('; '));
      const response = await fetch(url, { ...init, headers, redirect: 'manual' });
      keep(idpCookies, response);
      return response;
    },
    async authorize(authorizeUrl, alias) {
      let response = await browser.idp(authorizeUrl);
      if (response.status === 200) {
        const html = await response.text();
        const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
        if (!action || !html.includes('name="password"')) throw new Error(`expected the login form, got: ${html.slice(0, 300)}`);
        const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] ?? '', unescapeHtml(m[2] ?? '')]));
        const { username, password } = env.user(alias);
        response = await browser.idp(new URL(unescapeHtml(action), env.emulator.url).toString(), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ...hidden, username, password }),
        });
      }
      const location = response.headers.get('location');
      if (response.status !== 302 || !location?.startsWith(`${APP_ORIGIN}/auth/callback?`)) {
        throw new Error(`expected a redirect to the app's callback, got HTTP ${response.status} ${location ?? (await response.text()).slice(0, 300)}`);
      }
      const back = new URL(location);
      return `${back.pathname}${back.search}`;
    },
    async startSignIn(alias, returnTo = '/tokens') {
      const start = await browser.get(`/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
      if (start.status !== 302) throw new Error(`sign-in answered ${start.status}`);
      const authorizeUrl = new URL(start.headers.get('location') ?? '');
      return { callback: await browser.authorize(authorizeUrl.toString(), alias), authorizeUrl };
    },
    async signIn(alias, returnTo = '/profile') {
      const start = await browser.get(`/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
      if (start.status !== 302) throw new Error(`sign-in answered ${start.status}`);
      return browser.get(await browser.authorize(start.headers.get('location') ?? '', alias));
    },
    async follow(response, alias) {
      const visited: string[] = [];
      let current = response;
      for (let hop = 0; hop < 10 && current.status === 302; hop++) {
        const location = current.headers.get('location') ?? '';
        visited.push(location);
        if (location.startsWith(env.emulator.url)) current = await browser.get(await browser.authorize(location, alias));
        else current = await browser.get(location);
      }
      return { response: current, visited };
    },
  };
  return browser;
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

/** The web sessions in an instance's store. */
export async function sessionCount(instance: WebInstance): Promise<number> {
  return (await instance.stores.kv.keys('ek:web:session:')).length;
}
