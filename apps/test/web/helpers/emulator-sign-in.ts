/**
 * The demo web app (registration from the emulator's dev.json) in-process against the real
 * emulator, and a sign-in driven over HTTP: the app's /auth/sign-in, the emulator's login form
 * (with its own cookie jar, as a browser), then the app's callback, where MSAL redeems the code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { emulatorBrowser, submitEmulatorForm } from '../../helpers/emulator-browser.ts';
import { trustCaCertificate } from '../../../../packages/entrakit/src/core/trust-ca.ts';
import { startEmulator } from '../../../../packages/emulator/src/server.ts';
import type { RunningEmulator } from '../../../../packages/emulator/src/server.ts';
import { createWebApp } from '../../../web/app.ts';
import { loadWebConfig } from '../../../web/config.ts';
import { openWebStores } from '../../../web/stores.ts';
import type { WebStores } from '../../../web/stores.ts';

const APP_ORIGIN = 'http://localhost:5000';

/** The app's side of a browser: its cookie jar, requests sent in-process to `app.fetch`. */
export interface Browser {
  cookies: Map<string, string>;
  get(path: string): Promise<Response>;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

function createBrowser(app: { fetch(request: Request): Response | Promise<Response> }): Browser {
  const cookies = new Map<string, string>();
  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await app.fetch(new Request(new URL(path, APP_ORIGIN), { ...init, headers, redirect: 'manual' }));
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      if (value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) cookies.delete(name);
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

export interface DemoWeb {
  emulator: RunningEmulator;
  stores: WebStores;
  app: ReturnType<typeof createWebApp>;
  /** A fresh browser signed in as the demo user, landed on `returnTo`. */
  signIn(alias: string, returnTo: string): Promise<Browser>;
  close(): Promise<void>;
}

export async function startDemoWeb(): Promise<DemoWeb> {
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-web-directory-'));
  const emulator = await startEmulator({ dataDir: join(dataDir, 'emulator'), port: 0 });
  trustCaCertificate(emulator.caPem);
  const config = await loadWebConfig({ env: { LOG_LEVEL: 'silent', STORE_URL: `sqlite:${join(dataDir, 'web.db')}` }, dataDir: join(dataDir, 'emulator') });
  const stores = openWebStores(config.storeUrl, { sessionAbsoluteMs: config.sessionAbsoluteMs, clock: Date.now });
  const app = createWebApp({ config, stores, logger: pino({ level: 'silent' }) });

  async function signIn(alias: string, returnTo: string): Promise<Browser> {
    const user = emulator.devJson.users.find((u) => u.username.startsWith(`${alias}@`));
    if (!user) throw new Error(`no demo user ${alias}`);
    const browser = createBrowser(app);
    const start = await browser.get(`/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
    if (start.status !== 302) throw new Error(`/auth/sign-in answered ${start.status}`);
    const idp = emulatorBrowser();
    const form = await idp(start.headers.get('location') ?? '');
    const page = await form.text();
    if (!page.includes('name="password"')) throw new Error(`expected the emulator's login form, got HTTP ${form.status}`);
    const posted = await submitEmulatorForm(idp, emulator.url, page, { username: user.username, password: user.password });
    const back = new URL(posted.headers.get('location') ?? '');
    if (!back.searchParams.get('code')) throw new Error(`expected a redirect with a code, got HTTP ${posted.status}`);
    const landed = await browser.get(`${back.pathname}${back.search}`);
    if (landed.status !== 302 || landed.headers.get('location') !== returnTo) throw new Error(`the callback answered ${landed.status} ${landed.headers.get('location') ?? ''}`);
    return browser;
  }

  return {
    emulator,
    stores,
    app,
    signIn,
    async close() {
      await stores.close();
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
