import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorOptions, RunningEmulator } from '../../src/server.ts';
import { startTestEmulator as startEmulatorForTest } from '../helpers/emulator.ts';
import { decodeHtml } from '../helpers/html.ts';

export interface TestEmulator extends RunningEmulator {
  tenantId: string;
  webClientId: string;
  webRedirectUri: string;
  user(alias: 'adele' | 'alex' | 'megan'): { username: string; password: string };
  /** Stops the emulator and deletes its data folder. */
  stop(): Promise<void>;
}

/** The real emulator over HTTPS on a free port, with a fresh data folder, trusted by this process's fetch. */
/** `clock`: the emulator's clock (milliseconds), for tests that move time; default Date.now. */
export async function startTestEmulator(options: Omit<EmulatorOptions, 'dataDir' | 'port'> = {}): Promise<TestEmulator> {
  const emulator = await startEmulatorForTest({ writeDevJson: false, ...options });
  return Object.assign(emulator, {
    tenantId: emulator.devJson.tenantId,
    webClientId: emulator.devJson.apps.web.clientId,
    webRedirectUri: emulator.devJson.apps.web.redirectUri,
    user(alias: string) {
      const found = emulator.devJson.users.find((u) => u.username.startsWith(`${alias}@`));
      if (!found) throw new Error(`no demo user ${alias}`);
      return { username: found.username, password: found.password };
    },
    stop: () => emulator.cleanup(),
  });
}

/** A browser's cookies for one origin: enough to carry the emulator's SSO and binding cookies. */
export function createCookieJar() {
  const cookies = new Map<string, string>();
  return {
    cookies,
    async fetch(url: string, init: RequestInit = {}): Promise<Response> {
      const headers = new Headers(init.headers);
      if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
      const response = await fetch(url, { ...init, headers, redirect: 'manual' });
      for (const line of response.headers.getSetCookie()) {
        const [pair = '', ...attributes] = line.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
        if (expired) cookies.delete(name);
        else cookies.set(name, pair.slice(eq + 1).trim());
      }
      return response;
    },
  };
}

export type CookieJar = ReturnType<typeof createCookieJar>;

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** An authorize URL with sensible defaults for the demo web app; `undefined` removes a parameter. */
export function authorizeUrl(emulator: TestEmulator, overrides: Record<string, string | undefined> = {}, tenant = emulator.tenantId): string {
  const params: Record<string, string | undefined> = {
    client_id: emulator.webClientId,
    response_type: 'code',
    redirect_uri: emulator.webRedirectUri,
    scope: 'openid profile offline_access User.Read',
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  return `${emulator.url}/${tenant}/oauth2/v2.0/authorize?${query}`;
}

/** The value of a hidden input (the pages are ours; their markup is stable). */
export function hiddenField(html: string, name: string): string | undefined {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html);
  return match?.[1] === undefined ? undefined : decodeHtml(match[1]);
}

/** The action of the page's form, absolute. */
export function formAction(emulator: TestEmulator, html: string): string {
  const match = /<form method="post" action="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no form on the page');
  return new URL(decodeHtml(match[1]), emulator.url).toString();
}

/** Posts a page's form with its hidden fields plus `fields`, as the browser would. */
export function submitForm(jar: CookieJar, emulator: TestEmulator, html: string, fields: Record<string, string>): Promise<Response> {
  const body = new URLSearchParams({ tx: hiddenField(html, 'tx') ?? '', csrf: hiddenField(html, 'csrf') ?? '', ...fields });
  return jar.fetch(formAction(emulator, html), { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

/** authorize (login form) then the password POST; returns the login POST's response. */
export async function signIn(jar: CookieJar, emulator: TestEmulator, alias: 'adele' | 'alex' | 'megan', url = authorizeUrl(emulator)): Promise<Response> {
  const page = await jar.fetch(url);
  const html = await page.text();
  if (!html.includes('name="password"')) throw new Error(`expected the login form, got ${page.status}`);
  const { username, password } = emulator.user(alias);
  return submitForm(jar, emulator, html, { username, password });
}

/** The query parameters of a redirect's Location. */
export function locationParams(response: Response): URLSearchParams {
  const location = response.headers.get('location');
  if (!location) throw new Error(`no Location header (status ${response.status})`);
  return new URL(location).searchParams;
}
