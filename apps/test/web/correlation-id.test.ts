/**
 * One correlation id per sign-in, as client-request-id on /authorize and on the token call, so the
 * identity provider's log can be matched to the sign-in; the trace records it with the verdict.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signInCorrelationId } from '../../web/idp/correlation.ts';
import { startTestIdp } from './helpers/test-idp.ts';
import type { TestIdp } from './helpers/test-idp.ts';
import { startWebHarness } from './helpers/web-harness.ts';
import type { WebHarness } from './helpers/web-harness.ts';

let dataDir: string;
let idp: TestIdp;
let web: WebHarness;

describe('sign-in correlation id', () => {
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'entrakit-web-correlation-'));
    idp = await startTestIdp(dataDir);
    web = await startWebHarness(idp, dataDir);
  });
  after(async () => {
    await web?.close();
    await idp?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is sent on /authorize and on the token call, and the sessions page shows it with the verdict', async () => {
    const { callback, authorizeUrl } = await web.startSignIn('/sessions');
    const expected = signInCorrelationId(authorizeUrl.searchParams.get('state') ?? '');
    assert.equal(authorizeUrl.searchParams.get('client-request-id'), expected);
    const done = await web.browser.get(callback);
    assert.equal(done.status, 302);
    assert.equal(idp.lastTokenClientRequestId, expected);
    const page = await (await web.browser.get('/sessions')).text();
    assert.ok(page.includes(expected), 'the sessions page names the correlation id');
    // First sign-in with this sid: a new SSO session, so a password was asked.
    assert.match(page, /data-verdict="password"/);
  });
});
