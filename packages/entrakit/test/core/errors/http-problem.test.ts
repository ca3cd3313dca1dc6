import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES, errorCodeEntry } from '../../../src/core/codes.ts';
import { EntrakitError } from '../../../src/core/errors.ts';
import { formatBearerChallenge, httpProblem } from '../../../src/core/http-problem.ts';

describe('error table', () => {
  it('derives status, OAuth error and challenge from the code', () => {
    const expired = new EntrakitError('TOKEN_EXPIRED', 'Token has expired');
    assert.equal(expired.status, 401);
    assert.equal(expired.oauthError, 'invalid_token');
    assert.deepEqual(expired.challenge, {});
    const missing = new EntrakitError('BEARER_TOKEN_MISSING', 'A bearer access token is required');
    assert.equal(missing.oauthError, undefined);
    assert.deepEqual(missing.challenge, {});
    const closed = new EntrakitError('STORE_CLOSED', 'closed');
    assert.equal(closed.status, 500);
    assert.equal(closed.challenge, undefined);
    assert.equal(new EntrakitError('SIGNIN_CODE_REDEMPTION_FAILED', 'refused', { status: 400 }).status, 400);
  });

  it('lets applications raise their own codes with an explicit status, outside the table', () => {
    const own = new EntrakitError('OBO_CONSENT_REQUIRED', 'consent', { status: 403, oauthError: 'consent_required', challenge: {} });
    assert.equal(own.status, 403);
    assert.equal(own.oauthError, 'consent_required');
    assert.equal(errorCodeEntry('OBO_CONSENT_REQUIRED'), undefined);
  });

  it('gives every bearer-facing code an OAuth error, and 5xx codes none that is a client error', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      const e = entry as { status: number; oauthError?: string; challenge?: true };
      if (e.challenge && code !== 'BEARER_TOKEN_MISSING') assert.ok(e.oauthError, code);
      if (e.status >= 500 && e.oauthError) assert.match(e.oauthError, /^(server_error|temporarily_unavailable)$/, code);
    }
  });
});

describe('httpProblem', () => {
  it('renders a bare challenge when no credentials were sent (RFC 6750 3.1)', () => {
    assert.deepEqual(httpProblem(new EntrakitError('BEARER_TOKEN_MISSING', 'A bearer access token is required'), { realm: 'api' }), {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="api"' },
      body: { error: 'unauthorized', error_description: 'A bearer access token is required' },
    });
  });

  it('renders invalid_token, invalid_request and insufficient_scope with their descriptions', () => {
    assert.deepEqual(httpProblem(new EntrakitError('TOKEN_EXPIRED', 'Token has expired'), { realm: 'api' }), {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="api", error="invalid_token", error_description="Token has expired"' },
      body: { error: 'invalid_token', error_description: 'Token has expired' },
    });
    assert.deepEqual(httpProblem(new EntrakitError('BEARER_REQUEST_INVALID', 'one token'), { realm: 'api' }), {
      status: 400,
      headers: { 'WWW-Authenticate': 'Bearer realm="api", error="invalid_request", error_description="one token"' },
      body: { error: 'invalid_request', error_description: 'one token' },
    });
    const scope = new EntrakitError('BEARER_INSUFFICIENT_SCOPE', 'needs more', { challenge: { scope: ['Stories.Read', 'Stories.Write'] } });
    assert.deepEqual(httpProblem(scope, { realm: 'api' }), {
      status: 403,
      headers: { 'WWW-Authenticate': 'Bearer realm="api", error="insufficient_scope", error_description="needs more", scope="Stories.Read Stories.Write"' },
      body: { error: 'insufficient_scope', error_description: 'needs more' },
    });
  });

  it('renders a claims challenge in Entra\'s shape', () => {
    const error = new EntrakitError('BEARER_AUTH_CONTEXT_REQUIRED', 'step up', { challenge: { claims: 'eyJ9', authorizationUri: 'https://login.example/t/oauth2/v2.0/authorize' } });
    assert.deepEqual(httpProblem(error, { realm: 'api' }), {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="api", authorization_uri="https://login.example/t/oauth2/v2.0/authorize", error="insufficient_claims", claims="eyJ9"' },
      body: { error: 'insufficient_claims', error_description: 'step up' },
    });
  });

  it('hides library 5xx detail, shows an application\'s own 5xx message, and answers bugs with a bare 500', () => {
    assert.deepEqual(httpProblem(new EntrakitError('JWKS_UNREACHABLE', 'connect ECONNREFUSED 10.0.0.1'), { realm: 'api' }), {
      status: 503,
      headers: {},
      body: { error: 'temporarily_unavailable', error_description: 'The access token could not be validated right now' },
    });
    assert.deepEqual(httpProblem(new EntrakitError('BEARER_INTERNAL_ERROR', 'x', { cause: new TypeError('secret detail') }), { realm: 'api' }), {
      status: 500,
      headers: {},
      body: { error: 'server_error', error_description: 'The server failed to handle the request' },
    });
    assert.deepEqual(httpProblem(new Error('database password is hunter2'), { realm: 'api' }), {
      status: 500,
      headers: {},
      body: { error: 'server_error', error_description: 'The server failed to handle the request' },
    });
    assert.deepEqual(httpProblem(new EntrakitError('STORAGE_UNAVAILABLE', 'Blob storage could not be reached', { status: 502, oauthError: 'storage_unavailable' }), { realm: 'api' }), {
      status: 502,
      headers: {},
      body: { error: 'storage_unavailable', error_description: 'Blob storage could not be reached' },
    });
  });

  it('adds an application\'s body fields and challenge', () => {
    const error = new EntrakitError('OBO_CLAIMS_CHALLENGE', 'more claims', { status: 401, oauthError: 'insufficient_claims', challenge: { claims: 'e30=' }, bodyFields: { claims: '{}' } });
    assert.deepEqual(httpProblem(error, { realm: 'api' }), {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="api", error="insufficient_claims", claims="e30="' },
      body: { claims: '{}', error: 'insufficient_claims', error_description: 'more claims' },
    });
  });

  it('cannot be broken out of: quotes, backslashes, CR/LF and non-ASCII are replaced', () => {
    const header = formatBearerChallenge('a"pi', {
      error: 'invalid_token',
      errorDescription: 'x", error="none\\\r\nSet-Cookie: a=b é',
      scope: ['ok', 'b"ad scope'],
      claims: 'ab"c\r\n',
    });
    assert.equal(header, 'Bearer realm="a?pi", error="invalid_token", error_description="x?, error=?none???Set-Cookie: a=b ?", claims="abc"');
    assert.doesNotMatch(header, /[\r\n"]{2}|\\/);
  });
});
