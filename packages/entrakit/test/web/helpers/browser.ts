/**
 * A browser for HTTP-level sign-in tests: one cookie jar for the app (requests sent to a fetch
 * function: the app in-process or over a port) and one for the identity provider (the real
 * emulator), with the emulator's pages driven as a user would (password, TOTP second factor).
 */
import { totpCode } from '../../../../emulator/src/mfa/totp.ts';

export interface DemoUser {
  username: string;
  password: string;
  totpSecret?: string;
}

/** The demo user whose user name starts with `alias@` (dev.json's users). */
export function demoUser(users: readonly DemoUser[], alias: string): DemoUser {
  const found = users.find((u) => u.username.startsWith(`${alias}@`));
  if (!found) throw new Error(`no demo user ${alias}`);
  return found;
}

const unescapeHtml = (value: string): string => value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

function cookieJar() {
  const cookies = new Map<string, string>();
  return {
    cookies,
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    take(response: Response): void {
      for (const line of response.headers.getSetCookie()) {
        const [pair = '', ...attributes] = line.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        if (value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) cookies.delete(name);
        else cookies.set(name, value);
      }
    },
  };
}

export interface TestBrowser {
  app: ReturnType<typeof cookieJar>;
  idp: ReturnType<typeof cookieJar>;
  /** A request to the app (path or full URL on the app's origin), cookies kept. */
  get(path: string): Promise<Response>;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  /** From a redirect to the identity provider: signs in there as needed, then lands on the app's callback; returns the callback's answer. */
  signInAt(authorizeUrl: string, user: DemoUser): Promise<Response>;
  /** GET path, following the app's and the identity provider's redirects, until a page (2xx/4xx/5xx). */
  visit(path: string, user: DemoUser): Promise<Response>;
}

export function createTestBrowser(appFetch: (request: Request) => Promise<Response>, appOrigin: string, idpUrl: string): TestBrowser {
  const app = cookieJar();
  const idp = cookieJar();
  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (app.cookies.size > 0) headers.set('cookie', app.header());
    const url = new URL(path, appOrigin);
    const response = await appFetch(new Request(new URL(`${url.pathname}${url.search}`, appOrigin), { ...init, headers, redirect: 'manual' }));
    app.take(response);
    return response;
  }
  async function idpFetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (idp.cookies.size > 0) headers.set('cookie', idp.header());
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    idp.take(response);
    return response;
  }
  async function submit(html: string, fields: Record<string, string>): Promise<Response> {
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form on the page: ${html.slice(0, 300)}`);
    const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] ?? '', unescapeHtml(m[2] ?? '')]));
    return idpFetch(new URL(unescapeHtml(action), idpUrl).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...hidden, ...fields }),
    });
  }
  async function signInAt(authorizeUrl: string, user: DemoUser): Promise<Response> {
    let response = await idpFetch(authorizeUrl);
    for (let step = 0; step < 5 && response.status === 200; step++) {
      const html = await response.text();
      if (html.includes('name="password"')) response = await submit(html, { username: user.username, password: user.password });
      else if (html.includes('name="otc"')) {
        if (!user.totpSecret) throw new Error(`${user.username} has no TOTP secret`);
        response = await submit(html, { otc: totpCode(user.totpSecret, Date.now()) });
      } else throw new Error(`unexpected identity provider page: ${html.slice(0, 300)}`);
    }
    const location = response.headers.get('location');
    if (response.status !== 302 || !location?.startsWith(appOrigin)) throw new Error(`expected a redirect back to the app, got HTTP ${response.status} ${location ?? ''}`);
    return send(location);
  }
  return {
    app,
    idp,
    get: (path) => send(path),
    post: (path, form, headers = { origin: appOrigin }) =>
      send(path, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }),
    signInAt,
    async visit(path, user) {
      let response = await send(path);
      for (let hop = 0; hop < 6 && response.status >= 300 && response.status < 400; hop++) {
        const location = response.headers.get('location') ?? '';
        response = location.startsWith(idpUrl) ? await signInAt(location, user) : await send(location);
      }
      return response;
    },
  };
}
