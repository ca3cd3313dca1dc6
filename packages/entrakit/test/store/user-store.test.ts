import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isEntrakitError } from '../../src/core/errors.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createUserStore } from '../../src/store/user-store.ts';
import { manualClock } from './kv-contract.ts';

const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OID = '00000000-0000-0000-66f3-3332eca7ea81';
const claims = { tid: TID, oid: OID, name: 'Adele Vance', preferred_username: 'adele@contoso.com', email: 'adele@contoso.com' };

function setup() {
  const clock = manualClock();
  return { clock, users: createUserStore(createMemoryStore({ clock }), { clock }) };
}

describe('user store', () => {
  test('first sign-in creates the record', async () => {
    const { clock, users } = setup();
    const result = await users.upsertFromClaims(claims);
    const expected = {
      tid: TID,
      oid: OID,
      name: 'Adele Vance',
      username: 'adele@contoso.com',
      email: 'adele@contoso.com',
      firstSeenAt: clock(),
      lastSeenAt: clock(),
      signInCount: 1,
      lastChangedClaims: [],
    };
    assert.deepEqual(result, { user: expected, created: true, changedClaims: [] });
    assert.deepEqual(await users.get(TID, OID), expected);
  });

  test('later sign-ins count, keep firstSeenAt, and report changed claims', async () => {
    const { clock, users } = setup();
    const first = await users.upsertFromClaims(claims);
    clock.advance(60_000);
    const same = await users.upsertFromClaims(claims);
    assert.equal(same.created, false);
    assert.deepEqual(same.changedClaims, []);
    assert.equal(same.user.signInCount, 2);
    clock.advance(60_000);
    const renamed = await users.upsertFromClaims({ ...claims, name: 'Adele V.', email: 'adele.vance@contoso.com' });
    assert.equal(renamed.created, false);
    assert.deepEqual(renamed.changedClaims, ['name', 'email']);
    assert.deepEqual(renamed.user, {
      ...first.user,
      name: 'Adele V.',
      email: 'adele.vance@contoso.com',
      lastSeenAt: clock(),
      signInCount: 3,
      lastChangedClaims: ['name', 'email'],
    });
    assert.deepEqual(await users.get(TID, OID), renamed.user);
  });

  test('a claim that disappears counts as changed and is stored as null', async () => {
    const { users } = setup();
    await users.upsertFromClaims(claims);
    const { email: _email, ...withoutEmail } = claims;
    const result = await users.upsertFromClaims(withoutEmail);
    assert.deepEqual(result.changedClaims, ['email']);
    assert.equal(result.user.email, null);
  });

  test('users are keyed by tid and oid together', async () => {
    const { users } = setup();
    await users.upsertFromClaims(claims);
    const otherTenant = await users.upsertFromClaims({ ...claims, tid: '11111111-1111-1111-1111-111111111111' });
    assert.equal(otherTenant.created, true);
    const colliding = await users.upsertFromClaims({ tid: 'a:b', oid: 'c' });
    const colliding2 = await users.upsertFromClaims({ tid: 'a', oid: 'b:c' });
    assert.equal(colliding.created, true);
    assert.equal(colliding2.created, true);
    assert.equal((await users.list()).length, 4);
    assert.equal(await users.get(TID, 'unknown'), undefined);
  });

  test('list returns every user', async () => {
    const { users } = setup();
    await users.upsertFromClaims(claims);
    await users.upsertFromClaims({ ...claims, oid: 'second-oid', name: 'Megan Bowen' });
    assert.deepEqual((await users.list()).map((user) => user.name).sort(), ['Adele Vance', 'Megan Bowen']);
  });

  test('missing tid or oid throws USER_CLAIMS_INCOMPLETE', async () => {
    const { users } = setup();
    for (const incomplete of [{ oid: OID }, { tid: TID }, { tid: TID, oid: '' }, { tid: 42, oid: OID }]) {
      await assert.rejects(users.upsertFromClaims(incomplete), (error) => isEntrakitError(error, 'USER_CLAIMS_INCOMPLETE'));
    }
    assert.deepEqual(await users.list(), []);
  });
});
