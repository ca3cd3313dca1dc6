import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestEmulator } from '../../../emulator/test/helpers/emulator.ts';
import type { RunningEmulator } from '../../../emulator/src/server.ts';
import { stableGuid } from '../../../emulator/src/directory/ids.ts';
import { createWebAuth } from '../../src/web/index.ts';
import type { CreatedWebAuth, SignInInfo, WebAuthEvents } from '../../src/web/index.ts';
import { deadUrl } from '../core/helpers/emulator-tokens.ts';
import { createTestBrowser } from './helpers/browser.ts';
import { demoUser, type DemoUser } from './helpers/browser.ts';
import { APP_ORIGIN, createDemoApp, demoSettings } from './helpers/demo-app.ts';

type HttpCall = WebAuthEvents['http-call'] & { type: 'http-call'; at: number };

describe('createWebAuth: http-call events, the token cache described, an unavailable token endpoint', { timeout: 180_000 }, () => {
  let emulator: RunningEmulator & { cleanup(): Promise<void> };
  let entra: CreatedWebAuth;
  let app: ReturnType<typeof createDemoApp>;
  let dead: string;
  // Token calls go to a port nobody listens on while this is set: a real connection refusal.
  let tokenEndpointDown = false;
  const calls: HttpCall[] = [];
  const seen: Array<{ type: string; correlationId?: string } & Record<string, unknown>> = [];
  const signIns: SignInInfo[] = [];
  const user = (alias: string): DemoUser => demoUser(emulator.devJson.users, alias);
  const browser = () => createTestBrowser(async (request) => app.fetch(request), APP_ORIGIN, emulator.url);
  /** A Request carrying the browser's cookie, its session loaded by the library. */
  async function signedInRequest(b: ReturnType<typeof browser>): Promise<Request> {
    const request = new Request(`${APP_ORIGIN}/`, { headers: { cookie: b.app.header() } });
    assert.equal(await entra.handle(request), undefined);
    assert.ok(entra.user(request), 'the browser is signed in');
    return request;
  }
  function apiScopeFor(alias: string): string {
    const { tenantId } = emulator.devJson;
    const apiId = emulator.devJson.apps.api.clientId;
    emulator.deps.directory.consents.grant(tenantId, emulator.devJson.apps.web.clientId, apiId, stableGuid(`user:${alias}`), ['user_impersonation']);
    return `api://${apiId}/user_impersonation`;
  }

  before(async () => {
    emulator = await startTestEmulator();
    dead = await deadUrl();
    const realFetch = globalThis.fetch;
    const fetchImpl: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (tokenEndpointDown && url.pathname.endsWith('/oauth2/v2.0/token')) return realFetch(`${dead}${url.pathname}`, init);
      return realFetch(input, init);
    };
    entra = createWebAuth({ ...demoSettings(emulator), fetch: fetchImpl, onSignIn: (info) => void signIns.push(info) });
    entra.on('http-call', (event) => calls.push(event));
    for (const type of ['sign-in-started', 'code-redeemed', 'signed-in', 'sign-in-failed', 'token-refreshed'] as const) entra.on(type, (event) => seen.push(event as never));
    app = createDemoApp(entra);
  });
  after(async () => {
    await entra?.close();
    await emulator?.cleanup();
  });

  it('every outgoing call ends in an http-call event: method, origin and path, kind and status, never a query, code or token', async () => {
    const b = browser();
    const start = await b.get('/profile');
    const landed = await b.signInAt(start.headers.get('location') ?? '', user('adele'));
    assert.equal(landed.status, 302);
    assert.equal((await b.get('/profile')).status, 200);
    const request = await signedInRequest(b);
    const accessToken = await entra.getAccessToken(request, ['User.Read']);

    const { tenantId } = emulator.devJson;
    const token = calls.find((call) => call.kind === 'token');
    assert.match(token?.correlationId ?? '', /^[0-9a-f-]{36}$/, 'the token call names its client-request-id');
    assert.deepEqual({ ...token, ms: 0, at: 0, correlationId: '', request: [], response: [] }, { type: 'http-call', at: 0, method: 'POST', url: `${emulator.url}/${tenantId}/oauth2/v2.0/token`, kind: 'token', status: 200, ms: 0, correlationId: '', request: [], response: [] });
    // The redemption's form and answer, field by field, redacted as in a trace.
    const sent = new Map(token!.request!.map((field) => [field.name, field.value]));
    assert.equal(sent.get('grant_type'), 'authorization_code');
    assert.equal(sent.get('code'), '[authorization code redacted]');
    assert.equal(sent.get('client_secret'), '[redacted]');
    assert.match(sent.get('code_verifier') ?? '', /^[A-Za-z0-9_-]{4}…$/);
    assert.equal(sent.get('redirect_uri'), `${APP_ORIGIN}/auth/callback`);
    const answered = new Map(token!.response!.map((field) => [field.name, field.value]));
    assert.equal(answered.get('token_type'), 'Bearer');
    assert.match(answered.get('id_token') ?? '', /^\[id_token, alg RS256, kid [^,]+, aud [0-9a-f-]{36}, \d+ claims, signature redacted\]$/);
    assert.match(answered.get('access_token') ?? '', /^\[access_token, alg RS256, .*signature redacted\]$/);
    assert.match(answered.get('refresh_token') ?? '', /^\[refresh token redacted, \d+ characters\]$/);
    assert.ok(token!.ms >= 0);
    assert.ok(calls.some((call) => call.kind === 'discovery' && call.method === 'GET' && call.status === 200 && call.url.endsWith('/v2.0/.well-known/openid-configuration')));
    assert.ok(calls.some((call) => call.kind === 'keys' && call.status === 200));
    const graph = calls.find((call) => call.kind === 'api');
    assert.ok(graph && graph.url.endsWith('/me') && graph.status === 200, `Graph /me is an api call: ${JSON.stringify(graph)}`);
    const all = JSON.stringify(calls);
    assert.ok(!all.includes('?'), 'no query in any event');
    assert.ok(!all.includes(accessToken), 'no access token in any event');
    assert.ok(!all.includes(emulator.devJson.apps.web.clientSecret), 'no client secret in any event');
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\.eyJ/.test(all), 'no JWT in any event');
  });

  it('cachedTokens(req) describes the user\'s token cache (scopes, expiry, refresh token) and holds no token', async () => {
    const b = browser();
    assert.equal((await b.visit('/profile', user('alex'))).status, 200);
    const request = await signedInRequest(b);
    const accessToken = await entra.getAccessToken(request, ['User.Read']);
    const cached = await entra.cachedTokens(request);
    const webId = emulator.devJson.apps.web.clientId;
    const graph = cached.accessTokens.find((entry) => entry.scopes.some((scope) => /user\.read/i.test(scope)));
    assert.ok(graph, `a Graph token is cached: ${JSON.stringify(cached.accessTokens.map((e) => e.scopes))}`);
    assert.equal(graph.clientId, webId);
    assert.equal(graph.realm, emulator.devJson.tenantId);
    assert.equal(graph.valueLength, accessToken.length);
    assert.ok(graph.expiresOn && Date.parse(graph.expiresOn) > Date.now(), 'expiry in the future');
    assert.ok(graph.cachedAt && Date.parse(graph.cachedAt) <= Date.parse(graph.expiresOn));
    assert.equal(cached.refreshTokens.length, 1);
    assert.equal(cached.refreshTokens[0]!.clientId, webId);
    assert.ok(cached.refreshTokens[0]!.valueLength > 0);
    assert.equal(cached.idTokens, 1);
    const text = JSON.stringify(cached);
    assert.ok(!text.includes(accessToken), 'no access token in the description');
    assert.ok(!/"secret"/.test(text), 'no secret field');
    await assert.rejects(entra.cachedTokens(new Request(`${APP_ORIGIN}/`)), { name: 'EntrakitError', code: 'SIGNIN_REQUIRED' });
  });

  it('cachedIdToken(req) is the session\'s ID token from the cache, without a network call', async () => {
    const b = browser();
    assert.equal((await b.visit('/profile', user('adele'))).status, 200);
    const request = await signedInRequest(b);
    const callsBefore = calls.length;
    const idToken = await entra.cachedIdToken(request);
    assert.equal(calls.length, callsBefore, 'no HTTP call');
    assert.match(idToken ?? '', /^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const payload = JSON.parse(Buffer.from(idToken!.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(payload, entra.user(request)!.claims, 'the token whose validated claims the session holds');
    assert.equal(payload['aud'], emulator.devJson.apps.web.clientId);
    await assert.rejects(entra.cachedIdToken(new Request(`${APP_ORIGIN}/`)), { name: 'EntrakitError', code: 'SIGNIN_REQUIRED' });
  });

  it('a token endpoint answering 5xx during a refresh is IDP_UNAVAILABLE (503); the user stays signed in and the next call works', async () => {
    const b = browser();
    assert.equal((await b.visit('/profile', user('megan'))).status, 200);
    const request = await signedInRequest(b);
    const scope = apiScopeFor('megan');
    emulator.deps.faults.add({ pathPrefix: `/${emulator.devJson.tenantId}/oauth2/v2.0/token`, status: 503 });
    try {
      await assert.rejects(entra.getAccessToken(request, [scope]), (error: { code?: string; status?: number }) => {
        assert.equal(error.code, 'IDP_UNAVAILABLE');
        assert.equal(error.status, 503);
        return true;
      });
    } finally {
      emulator.deps.faults.clear();
    }
    assert.ok(calls.some((call) => call.kind === 'token' && call.status === 503), 'the 503 was observed');
    assert.equal((await b.get('/profile')).status, 200, 'still signed in');
    assert.ok(await entra.getAccessToken(await signedInRequest(b), [scope]));
    // The refresh that worked: its event and its token call share the client-request-id.
    const refreshed = seen.findLast((event) => event.type === 'token-refreshed');
    assert.match(refreshed?.correlationId ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(calls.filter((call) => call.correlationId === refreshed?.correlationId).map((call) => `${call.kind} ${call.status}`), ['token 200']);
  });

  it('a token endpoint that cannot be reached during a refresh is IDP_UNAVAILABLE (503, network_error); the user stays signed in', async () => {
    const b = browser();
    assert.equal((await b.visit('/profile', user('nestor'))).status, 200);
    const request = await signedInRequest(b);
    const scope = apiScopeFor('nestor');
    tokenEndpointDown = true;
    try {
      await assert.rejects(entra.getAccessToken(request, [scope]), (error: { code?: string; status?: number; details?: Record<string, unknown> }) => {
        assert.equal(error.code, 'IDP_UNAVAILABLE');
        assert.equal(error.status, 503);
        assert.equal(error.details?.['error'], 'network_error');
        return true;
      });
    } finally {
      tokenEndpointDown = false;
    }
    const refused = calls.filter((call) => call.kind === 'token' && call.status === null);
    assert.ok(refused.length >= 1 && refused.every((call) => typeof call.error === 'string'), 'the refused call was observed, with no status');
    assert.equal((await b.get('/profile')).status, 200, 'still signed in');
    assert.ok(await entra.getAccessToken(await signedInRequest(b), [scope]), 'works again once the endpoint is back');
  });

  it('a sign-in\'s events, its token call and onSignIn share one correlation id, the client-request-id sent to /authorize; signed-in carries the ID token\'s header and checks', async () => {
    const [a, b] = [browser(), browser()];
    const [startA, startB] = await Promise.all([a.get('/profile'), b.get('/profile')]);
    const idOf = (start: Response) => new URL(start.headers.get('location') ?? '').searchParams.get('client-request-id') ?? '';
    const [idA, idB] = [idOf(startA), idOf(startB)];
    assert.match(idA, /^[0-9a-f-]{36}$/);
    assert.notEqual(idA, idB, 'each sign-in has its own');
    await Promise.all([a.signInAt(startA.headers.get('location')!, user('adele')), b.signInAt(startB.headers.get('location')!, user('alex'))]);
    for (const id of [idA, idB]) {
      assert.deepEqual(seen.filter((event) => event.correlationId === id).map((event) => event.type), ['sign-in-started', 'code-redeemed', 'signed-in']);
      const tokenCalls = calls.filter((call) => call.correlationId === id);
      assert.deepEqual(tokenCalls.map((call) => `${call.kind} ${call.status}`), ['token 200'], 'the code redemption is filed under the sign-in');
    }
    const started = seen.find((event) => event.type === 'sign-in-started' && event.correlationId === idA) as unknown as WebAuthEvents['sign-in-started'];
    const sent = new URL(startA.headers.get('location')!);
    const shown = new URL(started.authorizeUrl);
    assert.equal(`${shown.origin}${shown.pathname}`, `${sent.origin}${sent.pathname}`, 'the authorize endpoint');
    for (const name of ['client_id', 'redirect_uri', 'scope', 'code_challenge', 'code_challenge_method', 'response_mode', 'client-request-id']) {
      assert.equal(shown.searchParams.get(name), sent.searchParams.get(name), name);
    }
    for (const name of ['state', 'nonce']) {
      assert.equal(shown.searchParams.get(name), `${sent.searchParams.get(name)!.slice(0, 8)}…`, `${name} shortened`);
      assert.ok(!started.authorizeUrl.includes(sent.searchParams.get(name)!), `no full ${name}`);
    }
    const signedIn = seen.find((event) => event.type === 'signed-in' && event.correlationId === idA) as unknown as WebAuthEvents['signed-in'];
    assert.equal(signedIn.header['alg'], 'RS256');
    assert.equal(typeof signedIn.header['kid'], 'string');
    assert.deepEqual(signedIn.checks.map((check) => check.name).slice(0, 4), ['signature', 'issuer', 'audience', 'lifetime']);
    assert.ok(signedIn.checks.some((check) => check.name === 'nonce' && check.passed));
    const info = signIns.find((entry) => entry.correlationId === idA);
    assert.ok(info, 'onSignIn saw the correlation id');
    assert.deepEqual(info.header, signedIn.header);
    assert.equal(info.claims['preferred_username'], user('adele').username);
  });

  it('a sign-in ending on an identity provider error tells sign-in-failed which sign-in it was', async () => {
    const b = browser();
    const start = await b.get('/profile');
    const authorize = new URL(start.headers.get('location') ?? '');
    const id = authorize.searchParams.get('client-request-id');
    const state = authorize.searchParams.get('state') ?? '';
    const failed = await b.get(`/auth/callback?state=${encodeURIComponent(state)}&error=access_denied&error_description=${encodeURIComponent('AADSTS65004: User declined to consent')}`);
    assert.equal(failed.headers.get('x-entrakit-error'), 'SIGNIN_IDP_ERROR');
    const event = seen.findLast((entry) => entry.type === 'sign-in-failed');
    assert.equal(event?.['code'], 'SIGNIN_IDP_ERROR');
    assert.equal(event?.correlationId, id);
    // A callback no transaction matches has no sign-in to name.
    const stray = await browser().get('/auth/callback?state=x&code=y');
    assert.equal(stray.headers.get('x-entrakit-error'), 'SIGNIN_TRANSACTION_MISSING');
    const last = seen.findLast((entry) => entry.type === 'sign-in-failed');
    assert.equal(last?.['code'], 'SIGNIN_TRANSACTION_MISSING');
    assert.equal(last?.correlationId, undefined);
  });
});
