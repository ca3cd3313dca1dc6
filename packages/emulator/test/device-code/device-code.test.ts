import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublicClientApplication } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { startTestEmulator } from '../helpers/emulator.ts';
import { CookieBrowser, completeOnVerificationPage, demoUser, registerPublicClient } from './device-helpers.ts';

type Emulator = Awaited<ReturnType<typeof startTestEmulator>>;

describe('device code grant', () => {
  let emulator: Emulator;
  let now = Date.now();
  let clientId: string;
  let authority: string;

  before(async () => {
    emulator = await startTestEmulator({ clock: () => now });
    clientId = registerPublicClient(emulator, 'protocol');
    authority = emulator.devJson.authority;
  });
  after(async () => emulator.cleanup());

  const post = async (path: string, form: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${authority}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const start = async (scope = 'openid profile offline_access User.Read') => {
    const answer = await post('/oauth2/v2.0/devicecode', { client_id: clientId, scope });
    assert.equal(answer.status, 200);
    return answer.body as { device_code: string; user_code: string; verification_uri: string; expires_in: number; interval: number; message: string };
  };
  const poll = (deviceCode: string, grantType = 'urn:ietf:params:oauth:grant-type:device_code', extra: Record<string, string> = {}) =>
    post('/oauth2/v2.0/token', { grant_type: grantType, client_id: clientId, device_code: deviceCode, ...extra });

  it("answers Entra's devicecode fields", async () => {
    const flow = await start();
    assert.deepEqual(Object.keys(flow).sort(), ['device_code', 'expires_in', 'interval', 'message', 'user_code', 'verification_uri']);
    assert.equal(flow.expires_in, 900);
    assert.equal(flow.interval, 5);
    assert.equal(flow.verification_uri, `${emulator.url}/common/oauth2/deviceauth`);
    assert.match(flow.user_code, /^[A-Z0-9]{9}$/);
    assert.equal(flow.message, `To sign in, use a web browser to open the page ${flow.verification_uri} and enter the code ${flow.user_code} to authenticate.`);
  });

  it('answers authorization_pending, then slow_down when polled faster than the interval', async () => {
    const flow = await start();
    const first = await poll(flow.device_code);
    assert.equal(first.status, 400);
    assert.equal(first.body['error'], 'authorization_pending');
    assert.deepEqual(first.body['error_codes'], [70016]);
    const second = await poll(flow.device_code);
    assert.equal(second.status, 400);
    assert.equal(second.body['error'], 'slow_down');
    now += 10_001;
    const third = await poll(flow.device_code);
    assert.equal(third.body['error'], 'authorization_pending');
  });

  it('answers bad_verification_code for an unknown device code and expired_token after 900 s', async () => {
    const unknown = await poll('not-a-device-code');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body['error'], 'bad_verification_code');
    assert.deepEqual(unknown.body['error_codes'], [70018]);
    const flow = await start();
    now += 900_000;
    const expired = await poll(flow.device_code);
    assert.equal(expired.status, 400);
    assert.equal(expired.body['error'], 'expired_token');
    assert.deepEqual(expired.body['error_codes'], [70019]);
  });

  it('answers authorization_declined when the user cancels on the verification page', async () => {
    const flow = await start();
    const page = await completeOnVerificationPage(new CookieBrowser(emulator.url), flow.verification_uri, flow.user_code, demoUser(emulator, 'megan'), { decide: 'cancel' });
    assert.ok(page.has('data-device-result="declined"'));
    const declined = await poll(flow.device_code);
    assert.equal(declined.status, 400);
    assert.equal(declined.body['error'], 'authorization_declined');
    assert.deepEqual(declined.body['error_codes'], [70020]);
  });

  it('issues tokens once, after sign-in and consent, for the bare msal-node grant type too; SSO skips the password next time', async () => {
    const browser = new CookieBrowser(emulator.url);
    const alex = demoUser(emulator, 'alex');
    const flow = await start();
    const done = await completeOnVerificationPage(browser, flow.verification_uri, flow.user_code, alex);
    assert.ok(done.has('data-device-result="approved"'), done.text());
    const tokens = await poll(flow.device_code, 'device_code');
    assert.equal(tokens.status, 200);
    assert.equal(typeof tokens.body['refresh_token'], 'string');
    assert.equal(decodeJwt(tokens.body['id_token'] as string)['preferred_username'], alex.username);
    const again = await poll(flow.device_code);
    assert.equal(again.body['error'], 'bad_verification_code');

    // Same browser: the SSO session signs the second device in without a password, consent remembered.
    const second = await start();
    const page = await completeOnVerificationPage(browser, second.verification_uri, second.user_code, undefined);
    assert.ok(page.has('data-device-result="approved"'), page.text());
    assert.equal((await poll(second.device_code)).status, 200);
  });

  it('refuses an unknown code typed on the page with AADSTS70018', async () => {
    const browser = new CookieBrowser(emulator.url);
    const form = await browser.get(`${emulator.url}/common/oauth2/deviceauth`);
    const page = await browser.submit(form, { user_code: 'NOPE12345' });
    assert.equal(page.status, 200);
    assert.ok(page.has('AADSTS70018'));
  });

  it('needs a client credential when the app does not allow public client flows (AADSTS7000218)', async () => {
    const web = emulator.devJson.apps.web.clientId;
    const started = await post('/oauth2/v2.0/devicecode', { client_id: web, scope: 'User.Read' });
    const flow = started.body as { device_code: string; user_code: string; verification_uri: string };
    await completeOnVerificationPage(new CookieBrowser(emulator.url), flow.verification_uri, flow.user_code, demoUser(emulator, 'adele'));
    const refused = await post('/oauth2/v2.0/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: web, device_code: flow.device_code });
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body['error_codes'], [7000218]);
    const granted = await post('/oauth2/v2.0/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: web, client_secret: emulator.devJson.apps.web.clientSecret, device_code: flow.device_code });
    assert.equal(granted.status, 200);
  });

  it('a device code polled by another client is bad_verification_code, before and after approval; its own client still redeems it', async () => {
    const other = registerPublicClient(emulator, 'other-poller');
    const flow = await start();
    const stolen = (code: string) => post('/oauth2/v2.0/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: other, device_code: code });
    const before = await stolen(flow.device_code);
    assert.equal(before.status, 400);
    assert.equal(before.body['error'], 'bad_verification_code');
    assert.deepEqual(before.body['error_codes'], [70018]);
    now += 10_001;
    const done = await completeOnVerificationPage(new CookieBrowser(emulator.url), flow.verification_uri, flow.user_code, demoUser(emulator, 'adele'));
    assert.ok(done.has('data-device-result="approved"'));
    const after = await stolen(flow.device_code);
    assert.equal(after.body['error'], 'bad_verification_code', 'approval does not open it to other clients');
    assert.equal((await poll(flow.device_code)).status, 200);
  });

  it('the verification page refuses a code that expired before it was entered (AADSTS70019), without asking for a password', async () => {
    const flow = await start();
    now += 900_001;
    const browser = new CookieBrowser(emulator.url);
    const page = await browser.submit(await browser.get(flow.verification_uri), { user_code: flow.user_code });
    assert.equal(page.status, 200);
    assert.ok(page.has('AADSTS70019'), page.text().slice(0, 300));
    assert.ok(!page.has('name="password"'));
    now += 10_001;
  });

  it('both CSRF checks of the verification page: the code form and the later forms refuse a wrong token (403)', async () => {
    const flow = await start();
    const browser = new CookieBrowser(emulator.url);
    const form = await browser.get(flow.verification_uri);
    const forged = await browser.request(form.formAction(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ user_code: flow.user_code, csrf: 'forged' }) });
    assert.equal(forged.status, 403);
    assert.ok(!forged.has('name="password"'));
    const login = await browser.submit(form, { user_code: flow.user_code });
    assert.ok(login.has('name="password"'));
    const wrong = await browser.request(login.formAction(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...login.hiddenFields(), csrf: 'forged', ...demoUser(emulator, 'alex') }) });
    assert.equal(wrong.status, 403);
    assert.ok(!wrong.has('value="continue"'), 'no confirmation after a forged form');
    now += 10_001;
    assert.equal((await poll(flow.device_code)).body['error'], 'authorization_pending');
  });

  it("Continue counts only for the SSO session that was shown: another session's cookie meanwhile is refused", async () => {
    const flow = await start();
    const browser = new CookieBrowser(emulator.url);
    const login = await browser.submit(await browser.get(flow.verification_uri), { user_code: flow.user_code });
    const confirm = await browser.submit(login, demoUser(emulator, 'megan'));
    assert.ok(confirm.has('value="continue"'));
    // Another person signs in elsewhere; this browser now carries that session instead.
    const elsewhere = new CookieBrowser(emulator.url);
    const otherFlow = await start();
    await completeOnVerificationPage(elsewhere, otherFlow.verification_uri, otherFlow.user_code, demoUser(emulator, 'adele'));
    const jar = (b: CookieBrowser) => (b as unknown as { cookies: Map<string, string> }).cookies;
    const ssoCookie = '__Host-entrakit-sso';
    assert.ok(jar(elsewhere).get(ssoCookie));
    jar(browser).set(ssoCookie, jar(elsewhere).get(ssoCookie)!);
    const refused = await browser.submit(confirm, { action: 'continue' });
    assert.ok(refused.text().includes('You are no longer signed in'), refused.text().slice(0, 300));
    assert.ok(!refused.has('data-device-result="approved"'));
    now += 10_001;
    assert.equal((await poll(flow.device_code)).body['error'], 'authorization_pending', 'the device was not approved for the other session');
  });

  it('records the device flow in the request log under the client-request-id', async () => {
    const flow = await start();
    await post('/oauth2/v2.0/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: clientId, device_code: flow.device_code }, { 'client-request-id': 'device-poll-1' });
    const log = await fetch(`${emulator.url}/_admin/requests?clientRequestId=device-poll-1`, { headers: { 'x-entrakit-admin': emulator.devJson.emulator.adminKey! } });
    const { requests } = (await log.json()) as { requests: Array<Record<string, unknown>> };
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!['endpoint'], 'token');
    assert.equal(requests[0]!['error'], 'authorization_pending');
    assert.equal(requests[0]!['aadsts'], 70016);
    assert.ok((requests[0]!['why'] as string[]).includes('device code: the user has not finished on the verification page yet'));
  });
});

describe('MSAL Node acquireTokenByDeviceCode', () => {
  it('completes against the emulator while a person uses the verification page', async () => {
    const emulator = await startTestEmulator();
    try {
      const clientId = registerPublicClient(emulator, 'msal-node');
      const pca = new PublicClientApplication({ auth: { clientId, authority: emulator.devJson.authority, knownAuthorities: [new URL(emulator.url).host] } });
      let person: Promise<unknown> | undefined;
      const result = await pca.acquireTokenByDeviceCode({
        scopes: ['User.Read'],
        deviceCodeCallback: (response) => {
          assert.equal(response.interval, 5);
          person = completeOnVerificationPage(new CookieBrowser(emulator.url), response.verificationUri, response.userCode, demoUser(emulator, 'megan'));
        },
      });
      await person;
      assert.ok(result);
      assert.equal(result.account?.username, demoUser(emulator, 'megan').username);
      assert.equal(decodeJwt(result.accessToken)['aud'], '00000003-0000-0000-c000-000000000000');
      assert.deepEqual(result.scopes, ['User.Read', 'openid', 'profile']);
    } finally {
      await emulator.cleanup();
    }
  });
});
