import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearerErrorResponse, buildWwwAuthenticate } from '../../src/bearer/index.ts';
import { EntrakitError } from '../../src/core/errors.ts';

describe('RFC 6750 WWW-Authenticate', () => {
  it('omits the error attribute when no credentials were sent', () => {
    assert.equal(buildWwwAuthenticate('api'), 'Bearer realm="api"');
    assert.equal(buildWwwAuthenticate('api', { errorDescription: 'ignored without an error' }), 'Bearer realm="api"');
  });

  it('builds invalid_token and insufficient_scope challenges', () => {
    assert.equal(
      buildWwwAuthenticate('api', { error: 'invalid_token', errorDescription: 'Token has expired' }),
      'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
    );
    assert.equal(
      buildWwwAuthenticate('api', { error: 'insufficient_scope', errorDescription: 'needs more', scope: ['Stories.Read', 'Stories.Write'] }),
      'Bearer realm="api", error="insufficient_scope", error_description="needs more", scope="Stories.Read Stories.Write"',
    );
  });

  it('cannot be broken out of: quotes, backslashes, CR/LF and non-ASCII are replaced', () => {
    const header = buildWwwAuthenticate('a"pi', {
      error: 'invalid_token',
      errorDescription: 'x", error="none\\\r\nSet-Cookie: a=b é',
      scope: ['ok', 'b"ad scope'],
    });
    assert.equal(header, 'Bearer realm="a?pi", error="invalid_token", error_description="x?, error=?none???Set-Cookie: a=b ?"');
    assert.doesNotMatch(header, /[\r\n"]{2}|\\/);
  });

  it('maps errors to HTTP answers without leaking internal detail', () => {
    const unreachable = new EntrakitError('JWKS_UNREACHABLE', 'connect ECONNREFUSED 10.0.0.1', { status: 503 });
    assert.deepEqual(bearerErrorResponse(unreachable, 'api'), {
      status: 503,
      headers: {},
      body: { error: 'temporarily_unavailable', error_description: 'The access token could not be validated right now' },
    });
    assert.equal(bearerErrorResponse(new Error('boom'), 'api').status, 500);
    const bare401 = bearerErrorResponse(new EntrakitError('X', 'internal detail', { status: 401 }), 'api');
    assert.deepEqual(bare401.body, { error: 'invalid_token', error_description: 'The access token is not valid' });
    const forbidden = new EntrakitError('BEARER_INSUFFICIENT_SCOPE', 'm', {
      status: 403,
      details: { challenge: { error: 'insufficient_scope', errorDescription: 'm', scope: ['s'] } },
    });
    assert.deepEqual(bearerErrorResponse(forbidden, 'api'), {
      status: 403,
      headers: { 'WWW-Authenticate': 'Bearer realm="api", error="insufficient_scope", error_description="m", scope="s"' },
      body: { error: 'insufficient_scope', error_description: 'm' },
    });
  });
});
