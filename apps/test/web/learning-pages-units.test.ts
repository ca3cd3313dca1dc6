/**
 * The pure parts behind the learning pages: error pages for a declined consent and an unreachable
 * identity provider, the story's Markdown (escaped), the sign-in correlation id.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntrakitError } from 'entrakit';
import { presentError } from '../../web/auth/error-presentation.ts';
import { signInCorrelationId } from '../../web/idp/correlation.ts';
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
    assert.match(view.explanation, /Tried: Discovery document at https:\/\/login\.example\.invalid\/t\/v2\.0\/\.well-known\/openid-configuration could not be fetched \(cause: the host name does not resolve \(DNS\)\)\.$/);
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

describe('sign-in correlation id', () => {
  it('is a GUID, stable for a state, different between states', () => {
    const id = signInCorrelationId('state-a');
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(signInCorrelationId('state-a'), id);
    assert.notEqual(signInCorrelationId('state-b'), id);
  });
});
