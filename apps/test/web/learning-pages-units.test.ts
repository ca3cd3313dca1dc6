/**
 * The pure parts behind the learning pages: error pages for a declined consent and an unreachable
 * identity provider, the story's Markdown (escaped), the verdict on
 * whether a sign-in asked for a password.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntrakitError } from 'entrakit';
import { presentError } from '../../web/auth/error-presentation.ts';
import { openKeyValueStore } from 'entrakit/store';
import type { WebConfig } from '../../web/config.ts';
import { judgeSignIn, storedVerdict } from '../../web/idp/sign-in-verdict.ts';
import type { WebStores } from '../../web/stores.ts';
import { renderMarkdown } from '../../web/views/markdown.ts';

describe('error pages', () => {
  it('a declined consent says so and leads back to the page the user wanted', () => {
    const error = new EntrakitError('SIGNIN_IDP_ERROR', 'The identity provider returned "access_denied"', {
      status: 400,
      details: { error: 'access_denied', errorDescription: 'AADSTS65004: User declined to consent to access the app.\r\nTrace ID: x', returnTo: '/story' },
    });
    const view = presentError(error);
    assert.equal(view.status, 400);
    assert.equal(view.title, 'You declined the permissions');
    assert.deepEqual(view.action, { href: '/story', label: 'Back to /story' });
    assert.equal(view.aadsts?.code, '65004');
    assert.equal(view.sessionUnchanged, true);
  });

  it('an unreachable identity provider names the URL tried and the cause', () => {
    const cause = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    const error = new EntrakitError('DISCOVERY_UNREACHABLE', 'Discovery document at https://login.example.invalid/t/v2.0/.well-known/openid-configuration could not be fetched', { status: 503, cause });
    const view = presentError(error);
    assert.equal(view.title, 'The identity provider is unreachable');
    assert.match(view.explanation, /^Discovery document at https:\/\/login\.example\.invalid\/t\/v2\.0\/\.well-known\/openid-configuration could not be fetched \(ENOTFOUND: the host name does not resolve \(DNS\)\)\. /);
  });
});

describe('story markdown', () => {
  it('renders headings, paragraphs, lists and emphasis, escaping everything else', () => {
    const out = String(renderMarkdown("# Adele's story\n\nThis is **bold** and `code` <script>alert(1)</script>.\n\n- one\n- two\n\n1. first\n"));
    assert.equal(
      out,
      '<h2>Adele&#39;s story</h2><p>This is <strong>bold</strong> and <code>code</code> &lt;script&gt;alert(1)&lt;/script&gt;.</p><ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>',
    );
  });
});

describe('password or SSO: the sign-in verdict', () => {
  const config = { sessionAbsoluteMs: 3_600_000, instance: 'https://login.microsoftonline.com' } as WebConfig;
  const deps = (now: number) => ({ stores: { kv: openKeyValueStore('memory:') } as unknown as WebStores, clock: () => now, config });

  it('auth_time after the sign-in started: a password was asked; before: the SSO session signed the user in', async () => {
    const d = deps(1_800_000_010_000);
    const asked = await judgeSignIn(d, { startedAt: 1_800_000_005_000, correlationId: 'c1', claims: { tid: 't', oid: 'o', auth_time: 1_800_000_008 } });
    assert.deepEqual([asked.passwordAsked, asked.basis], [true, 'auth_time']);
    const sso = await judgeSignIn(d, { startedAt: 1_800_000_005_000, correlationId: 'c2', claims: { tid: 't', oid: 'o', auth_time: 1_799_999_000 } });
    assert.deepEqual([sso.passwordAsked, sso.text], [false, 'The identity provider signed you straight back in without a password.']);
    assert.equal((await storedVerdict(d, 'c2'))?.why, sso.why);
  });

  it('without auth_time, the same sid again means SSO; a new sid means a new session (password)', async () => {
    const d = deps(1_800_000_000_000);
    const first = await judgeSignIn(d, { startedAt: 1_799_999_999_000, correlationId: 'a', claims: { tid: 't', oid: 'o', sid: 's1' } });
    assert.deepEqual([first.passwordAsked, first.basis, first.sidSeenBefore], [true, 'sid', false]);
    const again = await judgeSignIn(d, { startedAt: 1_800_000_000_000, correlationId: 'b', claims: { tid: 't', oid: 'o', sid: 's1' } });
    assert.deepEqual([again.passwordAsked, again.sidSeenBefore, again.ssoSessionSeenAt], [false, true, 1_800_000_000_000]);
    const other = await judgeSignIn(d, { startedAt: 1_800_000_000_000, correlationId: 'c', claims: { tid: 't', oid: 'o', sid: 's2' } });
    assert.equal(other.passwordAsked, true);
    const none = await judgeSignIn(d, { startedAt: 1_800_000_000_000, correlationId: 'd', claims: { tid: 't', oid: 'o' } });
    assert.deepEqual([none.passwordAsked, none.basis], [null, 'none']);
  });
});
