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
import express from 'express';
import expressOpenIdConnect from 'express-openid-connect';
import { stableGuid } from '../../src/directory/ids.ts';
import { newApplication } from '../../src/directory/new-application.ts';
import { addClientSecret, registerApplication } from '../../src/directory/registration.ts';
import { GRAPH_APP_ID } from '../../src/protocol/microsoft-resources.ts';
import { SSO_COOKIE } from '../../src/sign-in/cookies.ts';
import { startInteropEnv, type InteropEnv } from './interop-env.ts';

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

  cookieNames(origin: string): string[] {
    return [...(this.jars.get(origin)?.keys() ?? [])];
  }
}

function field(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  assert.ok(value !== undefined, `hidden field ${name}`);
  return value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

describe('unmodified express-openid-connect against the emulator', { timeout: 60_000 }, () => {
  let env: InteropEnv;
  let server: Server;
  let baseUrl: string;
  let clientId: string;

  before(async () => {
    env = await startInteropEnv();
    const app = express();
    server = await new Promise<Server>((listening) => {
      const started = app.listen(0, '127.0.0.1', () => listening(started));
    });
    baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;

    // A web app registered as in the portal: redirect URI {base}/callback, the home page for sign-out.
    clientId = stableGuid('test-app:express-openid-connect');
    const registration = newApplication({ appId: clientId, displayName: 'express-openid-connect app', web: { redirectUris: [`${baseUrl}/callback`, baseUrl], logoutUrl: null } });
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
        authorizationParams: { response_type: 'code', scope: 'openid profile email offline_access User.Read' },
      }),
    );
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
  });

  after(async () => {
    await new Promise<void>((closed) => (server ? server.close(() => closed()) : closed()));
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

    const login = await browser.request(authorize);
    assert.equal(login.status, 200);
    assert.ok(login.body.includes('>Sign in</button>'), 'the emulator login form');
    const action = /<form method="post" action="([^"]+)"/.exec(login.body)?.[1];
    assert.ok(action);
    const { username, password } = env.user('adele');
    const posted = await browser.request(new URL(action.replace(/&amp;/g, '&'), env.emulator.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tx: field(login.body, 'tx'), csrf: field(login.body, 'csrf'), username, password }),
    });
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
});
