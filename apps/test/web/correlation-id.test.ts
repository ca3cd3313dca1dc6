/**
 * One correlation id per sign-in, as client-request-id on /authorize and on the token call, so the
 * identity provider's log can be matched to the sign-in; the trace records it with the verdict.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createBrowser, startEmulatorWeb } from './helpers/emulator-web.ts';
import type { EmulatorWeb, WebInstance } from './helpers/emulator-web.ts';

let env: EmulatorWeb;
let web: WebInstance;

describe('sign-in correlation id', () => {
  before(async () => {
    env = await startEmulatorWeb();
    web = await env.startInstance();
  });
  after(() => env?.close());

  it('is sent on /authorize and on the token call, and the sessions page shows it with the verdict', async () => {
    const browser = createBrowser(env, web);
    const { callback, authorizeUrl } = await browser.startSignIn('adele', '/sessions');
    const expected = authorizeUrl.searchParams.get('client-request-id') ?? '';
    assert.match(expected, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const done = await browser.get(callback);
    assert.equal(done.status, 302);
    // The emulator's request log files the authorize, login and token requests under that id.
    const log = (await (await env.admin('GET', `/_admin/requests?clientRequestId=${expected}`)).json()) as { requests: Array<{ endpoint: string; outcome: string }> };
    assert.deepEqual(log.requests.map((e) => e.endpoint).sort(), ['authorize', 'login', 'token']);
    assert.ok(log.requests.every((e) => e.outcome !== 'error'));
    const page = await (await browser.get('/sessions')).text();
    assert.ok(page.includes(expected), 'the sessions page names the correlation id');
    // First sign-in in this browser: a new SSO session, so a password was asked.
    assert.match(page, /data-verdict="password"/);
  });
});
