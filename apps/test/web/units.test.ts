import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeJwt, redactField, redactUrl } from '../../../packages/entrakit/src/core/trace/redact.ts';
import { aadstsCode, explainAadsts } from '../../../packages/entrakit/src/web/aadsts.ts';
import { presentError } from '../../web/auth/error-presentation.ts';
import { safeReturnTo } from '../../../packages/entrakit/src/web/return-to.ts';
import { EntrakitError } from '../../../packages/entrakit/src/core/errors.ts';

describe('safeReturnTo', () => {
  const cases: Array<[unknown, string]> = [
    ['/profile', '/profile'],
    ['/profile?tab=1#top', '/profile?tab=1#top'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['\\\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['/\tevil', '/'],
    ['/ok\nLocation: x', '/'],
    ['profile', '/'],
    ['', '/'],
    [undefined, '/'],
    [['/a'], '/'],
    ['/auth/callback?code=x', '/'],
    ['/' + 'a'.repeat(3000), '/'],
    // Dot segments that normalise to `//host`: the value returned is checked, not only the input.
    ['/.//evil.example/x', '/'],
    ['/..//evil.example/x', '/'],
    ['/%2e%2e//evil.example/x', '/'],
    ['/%2E//evil.example/x', '/'],
    ['/profile/..//evil.example/x', '/'],
    ['/a/b/../..//evil.example', '/'],
    ['/profile/../tokens?x=1', '/tokens?x=1'],
    ['/profile/./x', '/profile/x'],
    ['/profile/../auth/sign-in', '/'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)?.slice(0, 40)} -> ${expected}`, () => assert.equal(safeReturnTo(input), expected));
  }
});

describe('trace redaction', () => {
  it('never keeps secrets, codes, refresh tokens or JWT signatures', () => {
    assert.equal(redactField('client_secret', 'abc~123').value, '[redacted]');
    assert.equal(redactField('code', 'OAQABAAIAAA').value, '[authorization code redacted]');
    assert.equal(redactField('code_verifier', 'abcdefghijklmnop').value, 'abcd…');
    assert.match(redactField('refresh_token', 'x'.repeat(50)).value, /^\[refresh token redacted, 50 characters\]$/);
    const jwt = `${Buffer.from('{"alg":"RS256","kid":"k1"}').toString('base64url')}.${Buffer.from('{"aud":"a","x":1}').toString('base64url')}.c2lnbmF0dXJl`;
    assert.equal(describeJwt(jwt, 'id_token'), '[id_token, alg RS256, kid k1, aud a, 2 claims, signature redacted]');
    assert.ok(!redactField('access_token', jwt).value.includes('c2lnbmF0dXJl'));
    assert.equal(redactField('client_info', Buffer.from('{"uid":"u","utid":"t"}').toString('base64url')).value, '{"uid":"u","utid":"t"}');
    const url = redactUrl('https://idp.example/cb?code=SECRETCODE&state=abcdefghijklmnop&scope=openid');
    assert.ok(!url.includes('SECRETCODE'));
    assert.ok(url.includes('state=abcdefgh…'));
  });
});

describe('AADSTS explanations', () => {
  it('finds the code in an Entra error description and explains it', () => {
    assert.equal(aadstsCode('AADSTS50011: The redirect URI ... Trace ID: x'), '50011');
    assert.match(explainAadsts('50011') ?? '', /redirect URI/);
    assert.equal(explainAadsts('1'), undefined);
    assert.equal(aadstsCode(undefined), undefined);
  });

  it('presents an IdP error with the AADSTS code, and hides unexpected errors', () => {
    const view = presentError(new EntrakitError('SIGNIN_IDP_ERROR', 'x', { status: 400, details: { errorDescription: 'AADSTS65001: consent missing' } }));
    assert.equal(view.aadsts?.code, '65001');
    assert.equal(view.sessionUnchanged, true);
    const hidden = presentError(new Error('database password is hunter2'));
    assert.equal(hidden.code, 'INTERNAL_ERROR');
    assert.ok(!JSON.stringify(hidden).includes('hunter2'));
  });
});
