import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isEntrakitError } from '../../../src/core/errors.ts';
import { decodeToken } from '../../../src/core/tokens/decode.ts';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const header = b64({ alg: 'RS256', kid: 'k' });
const payload = b64({ sub: 'x', exp: 1 });

function throwsCode(fn: () => unknown, code: string, details?: Record<string, unknown>): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isEntrakitError(error), String(error));
    assert.equal(error.code, code);
    assert.equal(error.status, 401);
    for (const [key, value] of Object.entries(details ?? {})) assert.equal(error.details?.[key], value);
    return true;
  });
}

describe('decodeToken', () => {
  it('decodes header and payload without verifying', () => {
    const decoded = decodeToken(`${header}.${payload}.c2ln`);
    assert.deepEqual(decoded, { header: { alg: 'RS256', kid: 'k' }, payload: { sub: 'x', exp: 1 }, signature: 'c2ln' });
  });

  it('decodes an unsigned token so it can be shown', () => {
    assert.equal(decodeToken(`${b64({ alg: 'none' })}.${payload}.`).signature, '');
  });

  it('names the segment count for 2- and 4-segment tokens, and spots JWE', () => {
    throwsCode(() => decodeToken(`${header}.${payload}`), 'TOKEN_MALFORMED', { reason: 'segments', segments: 2 });
    throwsCode(() => decodeToken(`${header}.${payload}.c2ln.extra`), 'TOKEN_MALFORMED', { segments: 4 });
    throwsCode(() => decodeToken('a.b.c.d.e'), 'TOKEN_MALFORMED', { segments: 5 });
  });

  it('rejects bad base64url, non-JSON and non-object segments', () => {
    throwsCode(() => decodeToken(`${header}*.${payload}.c2ln`), 'TOKEN_MALFORMED', { reason: 'base64url', segment: 'header' });
    throwsCode(() => decodeToken(`${header}.${payload}=.c2ln`), 'TOKEN_MALFORMED', { reason: 'base64url', segment: 'payload' });
    throwsCode(() => decodeToken(`${header}.${payload}.c2l+`), 'TOKEN_MALFORMED', { segment: 'signature' });
    throwsCode(() => decodeToken(`${Buffer.from('{nope').toString('base64url')}.${payload}.c2ln`), 'TOKEN_MALFORMED', { reason: 'json' });
    throwsCode(() => decodeToken(`${b64([1])}.${payload}.c2ln`), 'TOKEN_MALFORMED', { reason: 'json' });
    throwsCode(() => decodeToken(`${header}.${Buffer.from([0xff, 0xfe]).toString('base64url')}.c2ln`), 'TOKEN_MALFORMED', { reason: 'json' });
    throwsCode(() => decodeToken(`.${payload}.c2ln`), 'TOKEN_MALFORMED');
    throwsCode(() => decodeToken(''), 'TOKEN_MALFORMED');
    throwsCode(() => decodeToken(42), 'TOKEN_MALFORMED');
  });

  it('refuses tokens over the size limit (default 16 KB) before parsing', () => {
    const big = `${header}.${b64({ pad: 'x'.repeat(17_000) })}.c2ln`;
    throwsCode(() => decodeToken(big), 'TOKEN_TOO_LARGE', { maxTokenBytes: 16_384 });
    throwsCode(() => decodeToken(`${header}.${payload}.c2ln`, { maxTokenBytes: 10 }), 'TOKEN_TOO_LARGE');
    assert.throws(() => decodeToken('a.b.c', { maxTokenBytes: 0 }), { name: 'TypeError', message: /"maxTokenBytes"/ });
  });
});
