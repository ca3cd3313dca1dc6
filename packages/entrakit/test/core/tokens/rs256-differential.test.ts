/**
 * The bearer path verifies RS256 with node:crypto over KeyObjects made from the issuer's JWKS;
 * every other key set goes through jose. One corpus of good and tampered emulator tokens runs
 * through both, and every verdict (accepted, or the refusal's code and claim) must be the same.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { KeyObject, sign } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWTVerifyGetKey } from 'jose';
import { createDiscoveryClient } from '../../../src/core/discovery/discovery-client.ts';
import { isRemoteKeySet } from '../../../src/core/discovery/remote-key-set.ts';
import { isEntrakitError } from '../../../src/core/errors.ts';
import { validateAccessToken } from '../../../src/core/tokens/validate-access-token.ts';
import { startEmulatorTokens, withSegment } from '../helpers/emulator-tokens.ts';
import type { EmulatorTokens } from '../helpers/emulator-tokens.ts';

type Verdict = string;

describe('RS256 on node:crypto and on jose give the same verdicts', () => {
  let env: EmulatorTokens;
  const corpus = new Map<string, string>();
  const now = Date.now();

  before(async () => {
    env = await startEmulatorTokens();
    const user = (await env.signIn('adele')).accessToken;
    const app = await env.appToken();
    const header = JSON.parse(Buffer.from(user.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    const stranger = await env.strangerKey();
    const strangerPublic = await exportJWK((await generateKeyPair('RS256')).publicKey);
    const sec = Math.floor(now / 1000);
    // Flips the top bit of one base64url character: the low bits of a segment's last character
    // can be padding (a 256-byte signature leaves 4 unused), and changing only those changes nothing.
    const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flip = (token: string, at: number): string => {
      const chars = [...token];
      const i = at < 0 ? chars.length + at : at;
      chars[i] = B64URL[B64URL.indexOf(chars[i]!) ^ 32]!;
      return chars.join('');
    };
    const [h, p, s] = user.split('.') as [string, string, string];
    // Headers jose will not sign (crit, a mismatched alg): signed here with the emulator's key.
    const active = KeyObject.from((await env.emulator.deps.keys.activeKey()).privateKey);
    const signRaw = async (protectedHeader: Record<string, unknown>): Promise<string> => {
      const input = `${Buffer.from(JSON.stringify(protectedHeader)).toString('base64url')}.${p}`;
      return `${input}.${sign('sha256', Buffer.from(input), active).toString('base64url')}`;
    };
    const entries: Array<[string, string | Promise<string>]> = [
      ['a user token', user],
      ['an app token', app],
      ['signature: one character changed in the middle', flip(user, user.lastIndexOf('.') + 40)],
      ['signature: last character changed', flip(user, -1)],
      ['signature: truncated', `${h}.${p}.${s.slice(0, -4)}`],
      ['signature: another token\'s', `${h}.${p}.${app.split('.')[2]}`],
      ['signature: empty', `${h}.${p}.`],
      ['payload changed, signature kept', withSegment(user, 1, { ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['Api.Admin', 'Tampered.Role'] })],
      ['header changed (typ), signature kept', withSegment(user, 0, { ...header, typ: 'at+jwt' })],
      ['signed by a stranger key under the issuer\'s kid', env.resign(user, {}, {}, stranger)],
      ['signed by a stranger key under an unknown kid', env.resign(user, {}, { kid: 'stranger' }, stranger)],
      ['stranger key embedded as jwk, signed by it', env.resign(user, {}, { jwk: strangerPublic }, stranger)],
      ['jku, x5u and x5c headers (inert), signed by the issuer', env.resign(user, {}, { jku: 'https://attacker.test/keys', x5u: 'https://attacker.test/cert', x5c: ['AAAA'] })],
      ['crit with an unknown extension', signRaw({ ...header, crit: ['exp'], exp: 1 })],
      ['crit b64 (recognised by jose), b64 true', signRaw({ ...header, crit: ['b64'], b64: true })],
      ['crit b64, b64 false', signRaw({ ...header, crit: ['b64'], b64: false })],
      ['alg RS384 header over an RS256 signature', signRaw({ ...header, alg: 'RS384' })],
      ['alg none', Promise.resolve(`${Buffer.from(JSON.stringify({ ...header, alg: 'none' })).toString('base64url')}.${p}.`)],
      ['no kid', env.resign(user, {}, { kid: undefined })],
      ['expired', env.resign(user, { exp: sec - 3600 })],
      ['expired within the clock skew', env.resign(user, { exp: sec - 60 })],
      ['exp exactly now minus skew', env.resign(user, { exp: sec - 300 })],
      ['nbf in the future', env.resign(user, { nbf: sec + 3600 })],
      ['nbf within the skew', env.resign(user, { nbf: sec + 60 })],
      ['iat in the future', env.resign(user, { iat: sec + 3600 })],
      ['iat a string', env.resign(user, { iat: String(sec) })],
      ['nbf a string', env.resign(user, { nbf: 'soon' })],
      ['exp a string', env.resign(user, { exp: String(sec + 600) })],
      ['exp null', env.resign(user, { exp: null })],
      ['no exp', env.resign(user, { exp: undefined })],
      ['no iat', env.resign(user, { iat: undefined })],
      ['no aud, exp, iat (jose checks presence last to first)', env.resign(user, { aud: undefined, exp: undefined, iat: undefined })],
      ['no oid and no ver', env.resign(user, { oid: undefined, ver: undefined })],
      ['ver 3.0', env.resign(user, { ver: '3.0' })],
      ['another audience', env.resign(user, { aud: 'api://someone-else' })],
      ['another issuer', env.resign(user, { iss: 'https://login.example.test/x/v2.0' })],
      ['tid not matching the issuer', env.resign(user, { tid: '22222222-2222-4222-8222-222222222222' })],
      ['no azp', env.resign(user, { azp: undefined })],
      ['an ID token', env.signIn('megan').then((t) => t.idToken)],
      ['a payload that is not JSON', `${h}.${Buffer.from('not json').toString('base64url')}.${s}`],
      ['two segments', `${h}.${p}`],
      ['bad base64url in the signature', `${h}.${p}.${s.slice(0, -2)}*A`],
    ];
    const settled = await Promise.allSettled(entries.map(([, token]) => token));
    settled.forEach((outcome, i) => {
      if (outcome.status === 'rejected') throw new Error(`could not make "${entries[i]![0]}": ${String(outcome.reason)}`);
      corpus.set(entries[i]![0], outcome.value);
    });
  });
  after(() => env.close());

  async function verdict(token: string, keySet: JWTVerifyGetKey): Promise<Verdict> {
    try {
      const { principal } = await validateAccessToken(token, { keySet, issuers: [env.issuer], audiences: [env.apiClientId, env.apiAppIdUri], clock: () => now });
      return `accepted ${principal.kind} ${principal.objectId}`;
    } catch (error) {
      if (!isEntrakitError(error)) return `bug ${(error as Error).name}: ${(error as Error).message}`;
      return `${error.code}${error.details?.['claim'] ? ` (${String(error.details['claim'])})` : ''}`;
    }
  }

  it('accepts and refuses exactly the same tokens, for the same reason', async () => {
    const discovery = createDiscoveryClient();
    const fast = discovery.getKeySet(env.jwksUri);
    assert.ok(isRemoteKeySet(fast));
    // The same keys behind a plain function: validateAccessToken takes jose's path for it.
    const viaJose: JWTVerifyGetKey = (header, token) => fast(header, token);
    assert.ok(!isRemoteKeySet(viaJose));
    const table: string[] = [];
    for (const [name, token] of corpus) {
      const [a, b] = [await verdict(token, fast), await verdict(token, viaJose)];
      table.push(`${name}: ${a}`);
      assert.equal(a, b, `${name}: node:crypto says "${a}", jose says "${b}"`);
    }
    // The corpus covers both answers and the refusals that matter.
    const verdicts = table.join('\n');
    assert.notEqual(corpus.get('payload changed, signature kept')!.split('.')[1], corpus.get('a user token')!.split('.')[1], 'the tampered payload differs from the signed one');
    for (const expected of ['a user token: accepted user', 'an app token: accepted app', 'signature: last character changed: TOKEN_SIGNATURE_INVALID',
      'signature: one character changed in the middle: TOKEN_SIGNATURE_INVALID', 'payload changed, signature kept: TOKEN_SIGNATURE_INVALID',
      'signed by a stranger key under the issuer\'s kid: TOKEN_SIGNATURE_INVALID', 'stranger key embedded as jwk, signed by it: TOKEN_SIGNATURE_INVALID',
      'jku, x5u and x5c headers (inert), signed by the issuer: accepted', 'crit b64 (recognised by jose), b64 true: TOKEN_MALFORMED (crit)',
      'expired: TOKEN_EXPIRED (exp)', 'nbf in the future: TOKEN_NOT_YET_VALID (nbf)', 'iat a string: TOKEN_MALFORMED (iat)',
      'no aud, exp, iat (jose checks presence last to first): TOKEN_CLAIM_MISSING (iat)', 'signed by a stranger key under an unknown kid: TOKEN_KEY_NOT_FOUND']) {
      assert.ok(verdicts.includes(expected), `expected "${expected}" in:\n${verdicts}`);
    }
  });
});
