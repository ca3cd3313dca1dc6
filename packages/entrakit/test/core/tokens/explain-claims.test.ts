import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLAIM_CATALOG } from '../../../src/core/tokens/claim-catalog.ts';
import { explainClaims, UNKNOWN_CLAIM_MEANING } from '../../../src/core/tokens/explain-claims.ts';

/** Every claim entra-facts.md lists for ID tokens and v1/v2 access tokens. */
const ENTRA_CLAIMS = [
  'aud', 'iss', 'iat', 'nbf', 'exp', 'aio', 'name', 'nonce', 'oid', 'preferred_username', 'rh', 'sid', 'sub', 'tid', 'uti',
  'ver', 'email', 'azp', 'azpacr', 'scp', 'roles', 'groups', 'wids', 'idtyp', 'appid', 'appidacr', 'amr', 'unique_name',
  'upn', '_claim_names', '_claim_sources', 'auth_time', 'acr', 'at_hash', 'c_hash', 'idp',
];

describe('explainClaims', () => {
  it('knows every Entra claim, each with a one-line meaning and a category', () => {
    for (const name of ENTRA_CLAIMS) {
      const entry = CLAIM_CATALOG[name];
      assert.ok(entry, `missing ${name}`);
      assert.match(entry.meaning, /^[^\n]{10,}$/);
      assert.ok(['identity', 'authorization', 'token'].includes(entry.category));
    }
  });

  it('explains claims in token order and flags unknown ones', () => {
    const rows = explainClaims({ oid: 'o', scp: 'a b', exp: 1, favourite_colour: 'blue', constructor: 'x' });
    assert.deepEqual(rows.map((r) => [r.name, r.category]), [
      ['oid', 'identity'], ['scp', 'authorization'], ['exp', 'token'], ['favourite_colour', 'unknown'], ['constructor', 'unknown'],
    ]);
    assert.equal(rows[3]?.meaning, UNKNOWN_CLAIM_MEANING);
    assert.equal(rows[3]?.value, 'blue');
  });

  it('interprets coded values: how the client authenticated, acr', () => {
    const rows = explainClaims({ appidacr: '1', azpacr: '2', acr: '1', idp: 'live.com' });
    assert.match(rows[0]?.meaning ?? '', /Here: client secret$/);
    assert.match(rows[1]?.meaning ?? '', /Here: certificate or client assertion$/);
    assert.match(rows[2]?.meaning ?? '', /Here: the user authenticated \(level 1\)$/);
    assert.equal(rows[3]?.category, 'identity');
    assert.equal(explainClaims({ azpacr: '0' })[0]?.meaning.endsWith('Here: public client (no secret)'), true);
  });
});

describe('tokenKind', () => {
  it('tells ID, delegated v1/v2, app-only and Graph tokens apart', async () => {
    const { tokenKind } = await import('../../../src/core/tokens/token-kind.ts');
    assert.equal(tokenKind({}, { ver: '2.0', aud: 'c', oid: 'u', sub: 's', nonce: 'n' }).kind, 'id');
    assert.equal(tokenKind({}, { ver: '2.0', aud: 'c', oid: 'u', sub: 's' }).kind, 'id');
    const v2 = tokenKind({}, { ver: '2.0', aud: 'api', azp: 'c', scp: 'user_impersonation', oid: 'u', sub: 's' });
    assert.deepEqual([v2.kind, v2.version, v2.graph], ['access', '2.0', false]);
    const v1 = tokenKind({}, { ver: '1.0', aud: 'https://storage.azure.com', appid: 'c', scp: 'user_impersonation', oid: 'u', sub: 's' });
    assert.deepEqual([v1.kind, v1.version], ['access', '1.0']);
    assert.equal(tokenKind({}, { ver: '2.0', aud: 'api', azp: 'c', roles: ['Api.Admin'], idtyp: 'app', oid: 'sp', sub: 'sp' }).kind, 'app-only');
    assert.equal(tokenKind({ nonce: 'x' }, { ver: '1.0', aud: '00000003-0000-0000-c000-000000000000', appid: 'c', scp: 'User.Read' }).graph, true);
  });
});
