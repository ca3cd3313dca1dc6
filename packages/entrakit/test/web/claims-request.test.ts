import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { readClaimsChallenge, validClaimsRequest } from '../../src/web/index.ts';

const C1 = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const answer = (status: number, header?: string) => ({ status, headers: new Headers(header ? { 'www-authenticate': header } : {}) });

describe('claims challenges (readClaimsChallenge, validClaimsRequest)', () => {
  it('reads the claims of an insufficient_claims challenge, from an API or from Graph (CAE)', () => {
    assert.equal(readClaimsChallenge(answer(401, `Bearer realm="entrakit-api", authorization_uri="https://login.example/t/oauth2/v2.0/authorize", error="insufficient_claims", claims="${b64(C1)}"`)), C1);
    const nbf = '{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}';
    assert.equal(readClaimsChallenge(answer(401, `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${b64(nbf)}"`)), nbf);
  });

  it('ignores anything else: another status or error, no claims, claims that are not a claims request', () => {
    assert.equal(readClaimsChallenge(answer(403, `Bearer error="insufficient_claims", claims="${b64(C1)}"`)), undefined);
    assert.equal(readClaimsChallenge(answer(401, `Bearer error="invalid_token", claims="${b64(C1)}"`)), undefined);
    assert.equal(readClaimsChallenge(answer(401, 'Bearer error="insufficient_claims"')), undefined);
    assert.equal(readClaimsChallenge(answer(401)), undefined);
    assert.equal(readClaimsChallenge(answer(401, `Bearer error="insufficient_claims", claims="${b64('[1,2]')}"`)), undefined);
    assert.equal(readClaimsChallenge(answer(401, `Bearer error="insufficient_claims", claims="${b64('{"userinfo":{}}')}"`)), undefined);
    assert.equal(validClaimsRequest(`{"access_token":{"x":"${'a'.repeat(3000)}"}}`), undefined, 'oversized');
  });
});
