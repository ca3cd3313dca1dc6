/**
 * "Revoke my sessions" on /sessions, against the real emulator and real MSAL: Graph's
 * revokeSignInSessions runs, the next Graph call is refused with a claims challenge (the app
 * declares CP1), MSAL's refresh with the claims is refused (the refresh token was revoked), and
 * the user signs in again, with a password (the SSO session was revoked too); /sessions?revoked=1
 * shows those steps once. CSRF-protected.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GRAPH_APP_ID } from '../../../packages/emulator/src/protocol/microsoft-resources.ts';
import { createBrowser, startEmulatorWeb } from './helpers/emulator-web.ts';
import type { EmulatorWeb, WebInstance } from './helpers/emulator-web.ts';

let env: EmulatorWeb;
let web: WebInstance;
/** How far the emulator's clock runs ahead: token times are whole seconds, so the revocation must come a second after the token. */
let emulatorAheadMs = 0;

before(async () => {
  env = await startEmulatorWeb({ emulatorClock: () => Date.now() + emulatorAheadMs });
  // As the demo app has it: admin consent to revoke one's own sessions.
  env.emulator.deps.directory.consents.grant(env.tenantId, env.clientId, GRAPH_APP_ID, '', ['User.Read', 'User.RevokeSessions.All', 'openid', 'profile', 'email', 'offline_access']);
  web = await env.startInstance();
});

after(async () => {
  await web?.close();
  await env?.close();
});

const csrfOf = (html: string) => /action="\/sessions\/revoke"[\s\S]*?name="csrf" value="([^"]+)"/.exec(html)?.[1];

describe('Revoke my sessions', () => {
  it('revokes through Graph, follows the next call\'s claims challenge through a new sign-in, and says so once', async () => {
    const browser = createBrowser(env, web);
    assert.equal((await browser.signIn('adele')).status, 302);
    assert.equal((await browser.get('/profile')).status, 200, 'a Graph token is cached');
    const sessionsPage = await (await browser.get('/sessions')).text();
    const csrf = csrfOf(sessionsPage);
    assert.ok(csrf, 'the Revoke button posts a CSRF token');
    const oldSession = browser.cookies.get('entrakit-session');

    emulatorAheadMs = 2_000;
    const revoked = await browser.post('/sessions/revoke', { csrf });
    assert.equal(revoked.status, 302);
    // Straight to the identity provider (entra.stepUp), with the claims of Graph's challenge.
    const location = new URL(revoked.headers.get('location') ?? '');
    assert.equal(location.origin, env.emulator.url);
    assert.match(location.pathname, /\/oauth2\/v2\.0\/authorize$/);
    const claims = JSON.parse(location.searchParams.get('claims') ?? '{}') as { access_token?: { nbf?: { essential?: boolean } } };
    assert.equal(claims.access_token?.nbf?.essential, true, 'Entra\'s CAE claims challenge: a token issued after the revocation');

    const { response, visited } = await browser.follow(revoked, 'adele');
    assert.ok(visited.some((url) => url.startsWith(env.emulator.url)), 'through the identity provider');
    assert.equal(visited.at(-1), '/sessions?revoked=1');
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.notEqual(browser.cookies.get('entrakit-session'), oldSession, 'a new app session');
    const steps = [...html.matchAll(/<li class="step"><div class="step-head"><strong>([^<]+)<\/strong>(?:<span class="badge[^"]*">(\d+)<\/span>)?/g)].map((m) => `${m[1]}${m[2] ? ` ${m[2]}` : ''}`);
    assert.deepEqual(steps.slice(0, 5), ['POST /me/revokeSignInSessions 200', 'GET /me with the cached token 401', 'MSAL refresh with the claims 400', 'GET /authorize with the claims', 'Back here, signed in again']);
    assert.match(html, /insufficient_claims/);
    assert.match(html, /data-verdict="password"/, 'the revoked SSO session could not sign adele in: a password was asked');
    assert.equal((await browser.get('/profile')).status, 200, 'Graph answers the new token');

    const again = await (await browser.get('/sessions?revoked=1')).text();
    assert.doesNotMatch(again, /Your sessions were revoked/, 'shown once');
  });

  it('refuses a post without the CSRF token', async () => {
    const browser = createBrowser(env, web);
    assert.equal((await browser.signIn('alex')).status, 302);
    const refused = await browser.post('/sessions/revoke', {});
    assert.equal(refused.status, 403);
    assert.equal((await browser.get('/profile')).status, 200, 'nothing was revoked');
  });
});
