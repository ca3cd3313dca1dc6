import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { codeKey } from '../../src/protocol/authorization-code.ts';
import { stableGuid } from '../../src/directory/ids.ts';
import { GRAPH_APP_ID } from '../../src/protocol/microsoft-resources.ts';
import { authorizeUrl, createCookieJar, locationParams, signIn, startTestEmulator, submitForm, type TestEmulator } from './helpers.ts';

let emulator: TestEmulator;
let apiScope: string;

before(async () => {
  emulator = await startTestEmulator();
  apiScope = emulator.devJson.apps.api.scope;
});
after(async () => {
  await emulator.stop();
});

const granted = (userAlias: string, resourceAppId: string) =>
  emulator.deps.directory.consents.grantedScopes(emulator.tenantId, emulator.webClientId, resourceAppId, stableGuid(`user:${userAlias}`));

const apiAppId = () => emulator.devJson.apps.api.clientId;

describe('consent', () => {
  it('asks for the API scope with its display name, Accept grants it and the next authorize skips it', async () => {
    const jar = createCookieJar();
    const url = authorizeUrl(emulator, { scope: `openid profile offline_access ${apiScope}` });
    const page = await signIn(jar, emulator, 'alex', url);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(html, /<h1>Permissions requested<\/h1>/);
    assert.match(html, /Access entrakit api as you/);
    assert.match(html, />Accept<\/button>/);
    assert.match(html, />Cancel<\/button>/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(granted('alex', apiAppId()).has('user_impersonation'), false);

    const accepted = await submitForm(jar, emulator, html, { action: 'accept' });
    assert.equal(accepted.status, 302);
    const params = locationParams(accepted);
    assert.equal(params.get('state'), 'state-123');
    assert.ok(await emulator.deps.state.get(codeKey(params.get('code') ?? '')));
    assert.equal(granted('alex', apiAppId()).has('user_impersonation'), true);

    const next = await jar.fetch(authorizeUrl(emulator, { scope: `openid profile offline_access ${apiScope}`, prompt: 'none' }));
    assert.equal(next.status, 302);
    assert.ok(locationParams(next).get('code'));
  });

  it('prompt=none with a session but without consent is consent_required (AADSTS65001)', async () => {
    const jar = createCookieJar();
    await signIn(jar, emulator, 'adele');
    const response = await jar.fetch(authorizeUrl(emulator, { scope: `openid ${apiScope}`, prompt: 'none' }));
    const params = locationParams(response);
    assert.equal(params.get('error'), 'consent_required');
    assert.match(params.get('error_description') ?? '', /^AADSTS65001: /);
  });

  it('with SSO, a missing consent shows the consent page without the password form', async () => {
    const jar = createCookieJar();
    await signIn(jar, emulator, 'adele');
    const response = await jar.fetch(authorizeUrl(emulator, { scope: `openid ${apiScope}` }));
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.match(html, /Permissions requested/);
    assert.doesNotMatch(html, /name="password"/);
  });

  it('Cancel redirects with access_denied (AADSTS65004) and grants nothing', async () => {
    const jar = createCookieJar();
    const page = await signIn(jar, emulator, 'adele', authorizeUrl(emulator, { scope: `openid ${apiScope}` }));
    const html = await page.text();
    const cancelled = await submitForm(jar, emulator, html, { action: 'cancel' });
    const params = locationParams(cancelled);
    assert.equal(params.get('error'), 'access_denied');
    assert.match(params.get('error_description') ?? '', /^AADSTS65004: /);
    assert.equal(params.get('state'), 'state-123');
    assert.equal(granted('adele', apiAppId()).has('user_impersonation'), false);
  });

  it('the consent form is CSRF-protected', async () => {
    const jar = createCookieJar();
    const html = await (await signIn(jar, emulator, 'adele', authorizeUrl(emulator, { scope: `openid ${apiScope}` }))).text();
    const forged = await submitForm(jar, emulator, html, { action: 'accept', csrf: 'forged' });
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.get('location'), null);
    assert.equal(granted('adele', apiAppId()).has('user_impersonation'), false);
  });

  it('prompt=consent asks again even when everything is granted', async () => {
    const jar = createCookieJar();
    await signIn(jar, emulator, 'adele');
    const response = await jar.fetch(authorizeUrl(emulator, { prompt: 'consent' }));
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.match(html, /Sign in and read user profile/);
    const accepted = await submitForm(jar, emulator, html, { action: 'accept' });
    assert.equal(accepted.status, 302);
    assert.ok(locationParams(accepted).get('code'));
    assert.equal(granted('adele', GRAPH_APP_ID).has('User.Read'), true);
  });

  it('admin-only scopes cannot be user-consented (AADSTS90094 page, no redirect)', async () => {
    const jar = createCookieJar();
    const response = await signIn(jar, emulator, 'adele', authorizeUrl(emulator, { scope: 'openid Group.Read.All' }));
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('location'), null);
    assert.match(await response.text(), /AADSTS90094:/);
    assert.equal(granted('adele', GRAPH_APP_ID).has('Group.Read.All'), false);
  });
});
