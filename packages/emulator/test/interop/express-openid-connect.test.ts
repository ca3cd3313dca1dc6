/**
 * An Express app protected by unmodified express-openid-connect (which drives openid-client v6):
 * only `issuerBaseURL` points at the emulator's tenant v2.0 issuer. The "browser" is fetch with a
 * cookie jar per origin, following redirects one by one and filling the emulator's login form.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express, { type NextFunction, type Request, type Response } from 'express';
import expressOpenIdConnect from 'express-openid-connect';
import { stableGuid } from '../../src/directory/ids.ts';
import { newApplication } from '../../src/directory/new-application.ts';
import { addClientSecret, registerApplication } from '../../src/directory/registration.ts';
import { GRAPH_APP_ID } from '../../src/protocol/microsoft-resources.ts';
import { SSO_COOKIE } from '../../src/sign-in/cookies.ts';
import { startInteropEnv, type InteropEnv } from './interop-env.ts';
import { decodeHtml } from '../helpers/html.ts';

// A CommonJS package: its named exports come through the default import.
const { auth, requiresAuth } = expressOpenIdConnect;
const ADELE_ID = stableGuid('user:adele');

interface Hop {
  status: number;
  location: URL | undefined;
  body: string;
}

/** Cookies kept per origin, as a browser keeps them (the app and the emulator are different origins). */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async request(url: URL | string, init: RequestInit = {}): Promise<Hop> {
    const target = new URL(url);
    const jar = this.jars.get(target.origin) ?? new Map<string, string>();
    this.jars.set(target.origin, jar);
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = response.headers.get('location');
    return { status: response.status, location: location ? new URL(location, target) : undefined, body: await response.text() };
  }

  /** Clears one origin's cookies (a new visit to that site only). */
  forget(origin: string): void {
    this.jars.delete(origin);
  }

  /** Follows redirects (GET) from `url`; returns every answer, the last one not a redirect. */
  async follow(url: URL | string, maxHops = 10): Promise<Hop[]> {
    const hops: Hop[] = [];
    let next: URL | undefined = new URL(url);
    while (next && hops.length < maxHops) {
      const hop = await this.request(next);
      hops.push(hop);
      next = hop.status >= 300 && hop.status < 400 ? hop.location : undefined;
    }
    return hops;
  }

  cookieNames(origin: string): string[] {
    return [...(this.jars.get(origin)?.keys() ?? [])];
  }
}


function field(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  assert.ok(value !== undefined, `hidden field ${name}`);
  return decodeHtml(value);
}

interface RelyingParty {
  baseUrl: string;
  clientId: string;
  close(): Promise<void>;
}

/**
 * An Express app with express-openid-connect, registered as a web app in the portal would be:
 * redirect URI {base}/callback, the home page for sign-out, Graph scopes consented by an admin.
 */
async function startRelyingParty(
  env: InteropEnv,
  name: string,
  options: { authorizationParams?: Record<string, string>; idTokenIssuance?: boolean; attemptSilentLogin?: boolean },
): Promise<RelyingParty> {
  const app = express();
  const server = await new Promise<Server>((listening) => {
    const started = app.listen(0, '127.0.0.1', () => listening(started));
  });
  const baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  const clientId = stableGuid(`test-app:express-openid-connect:${name}`);
  const registration = newApplication({
    appId: clientId,
    displayName: `express-openid-connect ${name}`,
    web: { redirectUris: [`${baseUrl}/callback`, baseUrl], logoutUrl: null, implicitGrantSettings: { enableIdTokenIssuance: options.idTokenIssuance ?? false, enableAccessTokenIssuance: false } },
  });
  registerApplication(env.emulator.deps.directory, env.tenantId, registration);
  const clientSecret = addClientSecret(env.emulator.deps.directory, registration, 'express', Date.now());
  env.emulator.deps.directory.consents.grant(env.tenantId, clientId, GRAPH_APP_ID, '', ['User.Read', 'openid', 'profile', 'email', 'offline_access']);

  app.use(
    auth({
      issuerBaseURL: env.v2Issuer,
      baseURL: baseUrl,
      clientID: clientId,
      clientSecret,
      secret: randomBytes(32).toString('base64url'),
      authRequired: false,
      idpLogout: true,
      enableTelemetry: false,
      ...(options.authorizationParams ? { authorizationParams: options.authorizationParams } : {}),
      ...(options.attemptSilentLogin ? { attemptSilentLogin: true } : {}),
    }),
  );
  app.get('/', (req, res) => {
    res.json({ authenticated: req.oidc.isAuthenticated(), oid: req.oidc.idTokenClaims?.['oid'] });
  });
  app.get('/profile', requiresAuth(), (req, res) => {
    res.json({ user: req.oidc.user, idTokenClaims: req.oidc.idTokenClaims, accessToken: req.oidc.accessToken?.access_token, hasRefreshToken: typeof req.oidc.refreshToken === 'string' });
  });
  app.get('/refresh', requiresAuth(), async (req, res, next) => {
    try {
      const refreshed = await req.oidc.accessToken!.refresh();
      res.json({ accessToken: refreshed.access_token });
    } catch (error) {
      next(error);
    }
  });
  // The app's error page: what the library reports about a failed sign-in.
  app.use((error: { status?: number; message: string; error?: string; error_description?: string }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(error.status ?? 500).json({ message: error.message, error: error.error, error_description: error.error_description });
  });
  return { baseUrl, clientId, close: () => new Promise<void>((closed) => server.close(() => closed())) };
}

/** Fills the emulator's login form; returns its answer (a redirect, or a form_post page). */
async function fillLoginForm(browser: Browser, env: InteropEnv, authorize: URL): Promise<Hop> {
  const login = await browser.request(authorize);
  assert.equal(login.status, 200);
  assert.ok(login.body.includes('>Sign in</button>'), 'the emulator login form');
  const action = /<form method="post" action="([^"]+)"/.exec(login.body)?.[1];
  assert.ok(action);
  const { username, password } = env.user('adele');
  return browser.request(new URL(decodeHtml(action), env.emulator.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ tx: field(login.body, 'tx'), csrf: field(login.body, 'csrf'), username, password }),
  });
}

/** What the form_post page's script does: post its hidden fields to its action. */
async function submitFormPost(browser: Browser, page: Hop): Promise<{ hop: Hop; fields: URLSearchParams }> {
  assert.equal(page.status, 200);
  const action = /<form method="post" action="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(action, 'a form_post page');
  const fields = new URLSearchParams();
  for (const match of page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields.set(match[1]!, decodeHtml(match[2]!));
  const hop = await browser.request(decodeHtml(action), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields });
  return { hop, fields };
}

describe('unmodified express-openid-connect against the emulator', { timeout: 60_000 }, () => {
  let env: InteropEnv;
  let rp: RelyingParty;
  let baseUrl: string;
  let clientId: string;

  before(async () => {
    env = await startInteropEnv();
    rp = await startRelyingParty(env, 'code', { authorizationParams: { response_type: 'code', scope: 'openid profile email offline_access User.Read' } });
    ({ baseUrl, clientId } = rp);
  });

  after(async () => {
    await rp?.close();
    await env?.close();
  });

  it('signs in with the authorization code flow (PKCE, state, nonce), refreshes the access token, and signs out at the emulator', async () => {
    const browser = new Browser();
    const profileBefore = await browser.request(`${baseUrl}/profile`);
    assert.equal(profileBefore.status, 302, 'requiresAuth sends an anonymous visitor to sign in');
    const authorize = profileBefore.location;
    assert.ok(authorize);
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${env.authority}/oauth2/v2.0/authorize`);
    assert.equal(authorize.searchParams.get('client_id'), clientId);
    assert.equal(authorize.searchParams.get('response_type'), 'code');
    assert.equal(authorize.searchParams.get('redirect_uri'), `${baseUrl}/callback`);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('nonce'));

    const { username } = env.user('adele');
    const posted = await fillLoginForm(browser, env, authorize);
    assert.equal(posted.status, 302);
    assert.ok(posted.location);
    assert.equal(`${posted.location.origin}${posted.location.pathname}`, `${baseUrl}/callback`);
    assert.ok(posted.location.searchParams.get('code'));

    // The library redeems the code (client_secret_post + code_verifier) and validates the ID token.
    const callback = await browser.request(posted.location);
    assert.equal(callback.status, 302, callback.body);
    assert.equal(callback.location?.toString(), `${baseUrl}/profile`);
    // The encrypted session (ID, access and refresh tokens) outgrows one cookie, as with Entra's tokens.
    assert.deepEqual(browser.cookieNames(baseUrl), ['appSession.0', 'appSession.1']);

    const profile = await browser.request(`${baseUrl}/profile`);
    assert.equal(profile.status, 200);
    const signedIn = JSON.parse(profile.body) as { user: Record<string, unknown>; idTokenClaims: Record<string, unknown>; accessToken: string; hasRefreshToken: boolean };
    assert.equal(signedIn.idTokenClaims['iss'], env.v2Issuer);
    assert.equal(signedIn.idTokenClaims['aud'], clientId);
    assert.equal(signedIn.idTokenClaims['oid'], ADELE_ID);
    assert.equal(signedIn.idTokenClaims['tid'], env.tenantId);
    assert.equal(signedIn.idTokenClaims['preferred_username'], username);
    assert.equal(signedIn.idTokenClaims['nonce'], authorize.searchParams.get('nonce'));
    assert.equal(signedIn.user['name'], 'Adele Vance');
    assert.equal(signedIn.hasRefreshToken, true);
    const graph = await env.verifyGraph(signedIn.accessToken);
    assert.deepEqual(String(graph['scp']).split(' ').sort(), ['User.Read', 'email', 'openid', 'profile']);
    assert.equal(graph['appid'], clientId);
    assert.equal(graph['oid'], ADELE_ID);

    const refreshedHop = await browser.request(`${baseUrl}/refresh`);
    assert.equal(refreshedHop.status, 200, refreshedHop.body);
    const refreshed = JSON.parse(refreshedHop.body) as { accessToken: string };
    assert.notEqual(refreshed.accessToken, signedIn.accessToken);
    assert.equal((await env.verifyGraph(refreshed.accessToken))['oid'], ADELE_ID);

    // RP-initiated sign-out: the app clears its session and sends the browser to Entra's end_session_endpoint.
    const logout = await browser.request(`${baseUrl}/logout`);
    assert.equal(logout.status, 302);
    assert.ok(logout.location);
    assert.equal(`${logout.location.origin}${logout.location.pathname}`, `${env.authority}/oauth2/v2.0/logout`);
    assert.equal(logout.location.searchParams.get('post_logout_redirect_uri'), baseUrl);
    assert.ok(logout.location.searchParams.get('id_token_hint'));
    assert.ok(browser.cookieNames(env.emulator.url).includes(SSO_COOKIE), 'signed in at the emulator before');
    const signedOut = await browser.request(logout.location);
    assert.equal(signedOut.status, 302, signedOut.body.slice(0, 300));
    assert.equal(signedOut.location?.toString(), `${baseUrl}/`, 'the registered home page (URL parsing adds the path)');
    assert.equal(browser.cookieNames(env.emulator.url).includes(SSO_COOKIE), false, 'the emulator session ended too');
    const profileAfter = await browser.request(`${baseUrl}/profile`);
    assert.equal(profileAfter.status, 302, 'signed out of the app');
  });

  for (const responseType of ['id_token', 'code id_token'] as const) {
    it(`response_type=${responseType} with form_post (implicit ID token issuance enabled on the app): signs in`, async () => {
      const implicit = await startRelyingParty(env, responseType, {
        idTokenIssuance: true,
        ...(responseType === 'id_token' ? {} : { authorizationParams: { response_type: responseType, scope: 'openid profile email User.Read' } }),
      });
      try {
        const browser = new Browser();
        const start = await browser.request(`${implicit.baseUrl}/login`);
        assert.equal(start.status, 302);
        assert.ok(start.location);
        assert.equal(start.location.searchParams.get('response_type'), responseType);
        assert.equal(start.location.searchParams.get('response_mode'), 'form_post');
        const { hop: callback, fields } = await submitFormPost(browser, await fillLoginForm(browser, env, start.location));
        assert.deepEqual([...fields.keys()].sort(), responseType === 'id_token' ? ['id_token', 'session_state', 'state'] : ['code', 'id_token', 'session_state', 'state']);
        assert.equal(callback.status, 302, callback.body);
        assert.equal(callback.location?.toString(), `${implicit.baseUrl}/`);
        const profile = await browser.request(`${implicit.baseUrl}/profile`);
        assert.equal(profile.status, 200);
        const signedIn = JSON.parse(profile.body) as { idTokenClaims: Record<string, unknown>; accessToken: string | undefined };
        assert.equal(signedIn.idTokenClaims['aud'], implicit.clientId);
        assert.equal(signedIn.idTokenClaims['iss'], env.v2Issuer);
        assert.equal(signedIn.idTokenClaims['oid'], ADELE_ID);
        assert.equal(signedIn.idTokenClaims['nonce'], start.location.searchParams.get('nonce'));
        if (responseType === 'id_token') {
          assert.equal(signedIn.accessToken, undefined);
        } else {
          // The front-channel ID token binds the code (openid-client checked it); the session keeps the token endpoint's.
          const frontChannel = await env.verify(fields.get('id_token')!, { issuer: env.v2Issuer, audience: implicit.clientId });
          assert.equal(typeof frontChannel['c_hash'], 'string');
          assert.equal((await env.verifyGraph(signedIn.accessToken!))['oid'], ADELE_ID);
        }
      } finally {
        await implicit.close();
      }
    });
  }

  it('response_type=id_token on an app without implicit ID token issuance: AADSTS700054 reaches the app, which refuses the sign-in', async () => {
    const plain = await startRelyingParty(env, 'id_token-not-enabled', { idTokenIssuance: false });
    try {
      const browser = new Browser();
      const start = await browser.request(`${plain.baseUrl}/login`);
      assert.ok(start.location);
      // Entra checks the response type before showing the login page and answers the app at once.
      const { hop: callback, fields } = await submitFormPost(browser, await browser.request(start.location));
      assert.equal(fields.get('error'), 'unsupported_response_type');
      assert.match(fields.get('error_description') ?? '', /^AADSTS700054: response_type 'id_token' is not enabled for the application\./);
      assert.equal(callback.status, 400);
      const reported = JSON.parse(callback.body) as Record<string, string>;
      assert.equal(reported['message'], 'authorization response from the server is an error');
      assert.equal(reported['error'], 'unsupported_response_type');
      assert.equal(reported['error_description'], fields.get('error_description'));
      assert.equal((await browser.request(`${plain.baseUrl}/profile`)).status, 302, 'not signed in');
    } finally {
      await plain.close();
    }
  });

  it('attemptSilentLogin: prompt=none answers login_required (AADSTS50058) without a session, and signs in silently with one', async () => {
    const silent = await startRelyingParty(env, 'silent', { attemptSilentLogin: true, authorizationParams: { response_type: 'code', scope: 'openid profile' } });
    try {
      const browser = new Browser();
      const anonymous = await browser.follow(`${silent.baseUrl}/`);
      assert.deepEqual(anonymous.map((hop) => hop.status), [302, 302, 302, 200]);
      assert.equal(anonymous[0]!.location?.searchParams.get('prompt'), 'none');
      const answer = anonymous[1]!.location!;
      assert.equal(`${answer.origin}${answer.pathname}`, `${silent.baseUrl}/callback`);
      assert.equal(answer.searchParams.get('error'), 'login_required');
      assert.match(answer.searchParams.get('error_description') ?? '', /^AADSTS50058: A silent sign-in request was sent but no user is signed in\./);
      assert.deepEqual(JSON.parse(anonymous[3]!.body), { authenticated: false });

      // The browser signs in at the emulator through another app, then visits this one afresh.
      const login = await browser.request(`${baseUrl}/login`);
      const posted = await fillLoginForm(browser, env, login.location!);
      assert.equal((await browser.request(posted.location!)).status, 302);
      browser.forget(silent.baseUrl);
      const sso = await browser.follow(`${silent.baseUrl}/`);
      assert.deepEqual(sso.map((hop) => hop.status), [302, 302, 302, 200]);
      assert.ok(sso[1]!.location?.searchParams.get('code'), 'a code, without the login form');
      assert.deepEqual(JSON.parse(sso[3]!.body), { authenticated: true, oid: ADELE_ID });
    } finally {
      await silent.close();
    }
  });
});
