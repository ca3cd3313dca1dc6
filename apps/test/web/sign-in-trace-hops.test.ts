/**
 * The sign-in trace shows what happened at the identity provider, from its request log: the
 * sign-in page and the password post when a password was asked; the SSO session answering at once
 * when it was not. The two diagrams differ in their hops, not only in a verdict drawn at the end.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBrowser, startEmulatorWeb } from './helpers/emulator-web.ts';
import type { EmulatorWeb, WebInstance } from './helpers/emulator-web.ts';
import { stepFor } from '../../web/trace/identity-provider-steps.ts';

let env: EmulatorWeb;
let web: WebInstance;

before(async () => {
  env = await startEmulatorWeb();
  // As under `entrakit dev`: the app's data folder holds the emulator's dev.json (its admin key
  // opens the request log).
  await mkdir(join(env.dataDir, 'web'), { recursive: true });
  await copyFile(join(env.dataDir, 'emulator', 'dev.json'), join(env.dataDir, 'web', 'dev.json'));
  web = await env.startInstance();
});

after(async () => {
  await web?.close();
  await env?.close();
});

describe('the sign-in trace at the identity provider', () => {
  it('draws the sign-in page and the password post for a password sign-in, and the SSO session for the next one', async () => {
    const browser = createBrowser(env, web);
    assert.equal((await browser.signIn('adele')).status, 302);
    const first = await (await browser.get('/trace')).text();
    const password = first.indexOf('200 sign-in page (GET form)');
    const post = first.indexOf('POST password');
    const back = first.indexOf('302 to /auth/callback');
    assert.ok(password > 0 && post > password && back > post, 'GET /authorize, then the form, the password post, and the redirect back, in that order');
    assert.ok(!first.includes('SSO session: no sign-in page'));

    // A new app session in the same browser: the identity provider's SSO cookie signs adele in.
    browser.cookies.clear();
    assert.equal((await browser.signIn('adele')).status, 302);
    const second = await (await browser.get('/trace')).text();
    assert.ok(second.includes('SSO session: no sign-in page'), 'the SSO hop');
    assert.ok(!second.includes('POST password') && !second.includes('200 sign-in page (GET form)'), 'no form and no password');
  });

  it('turns the log entries it knows into hops and leaves token calls to the app\'s own steps', () => {
    const time = '2026-01-01T00:00:00.000Z';
    assert.deepEqual(stepFor({ time, endpoint: 'token', outcome: 'success', aadsts: null, why: [] }), []);
    assert.deepEqual(
      stepFor({ time, endpoint: 'login', method: 'POST', status: 200, outcome: 'interaction', aadsts: 50126, why: ['wrong password'] }).map((s) => [s.from, s.to, s.title]),
      [
        ['browser', 'idp', 'POST password'],
        ['idp', 'browser', '200 sign-in page again'],
      ],
    );
    assert.deepEqual(
      stepFor({ time, endpoint: 'login', method: 'POST', status: 200, outcome: 'interaction', aadsts: null, why: ['password checked', 'second factor required: the code page is shown'] }).map((s) => s.title),
      ['POST password', '200 second-factor page'],
    );
    assert.deepEqual(stepFor({ time, endpoint: 'login', method: 'POST', status: 302, outcome: 'success', aadsts: null, why: ['second factor verified: the session now has amr pwd, mfa'] }).map((s) => s.title), ['POST second-factor code']);
  });
});
