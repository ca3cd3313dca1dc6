import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isEntrakitError } from '../../src/core/errors.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createSessionStore } from '../../src/store/session-store.ts';
import { manualClock } from './kv-contract.ts';

type Data = { user: string; roles: string[] };
const IDLE = 30 * 60_000;
const ABSOLUTE = 8 * 60 * 60_000;

function setup() {
  const clock = manualClock();
  const kv = createMemoryStore({ clock });
  const sessions = createSessionStore<Data>(kv, { idleTimeoutMs: IDLE, absoluteTimeoutMs: ABSOLUTE, clock });
  return { clock, kv, sessions };
}

describe('session store', () => {
  test('create returns a 256-bit base64url id and the record; get returns it', async () => {
    const { clock, sessions } = setup();
    const created = await sessions.create({ user: 'alice', roles: ['admin'] });
    assert.match(created.id, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(created.id, 'base64url').length, 32);
    assert.deepEqual(created.record, { data: { user: 'alice', roles: ['admin'] }, createdAt: clock(), lastSeenAt: clock() });
    assert.deepEqual(await sessions.get(created.id), created.record);
    const other = await sessions.create({ user: 'bob', roles: [] });
    assert.notEqual(other.id, created.id);
  });

  test('the store keys records by a hash of the id: the id is in no key or value, and a stored key is no session id', async () => {
    const { kv, sessions } = setup();
    const { id } = await sessions.create({ user: 'alice', roles: [] });
    const keys = await kv.keys('');
    assert.equal(keys.length, 1);
    const stored = keys[0] ?? '';
    assert.ok(!stored.includes(id));
    assert.ok(!((await kv.get(stored)) ?? '').includes(id));
    assert.equal(stored, `session:${sessions.reference(id)}`);
    const reference = stored.slice('session:'.length);
    assert.equal(await sessions.get(reference), undefined, 'the stored reference does not work as an id');
    assert.equal(sessions.reference(reference) === reference, false);
    assert.equal(sessions.reference('not a session id'), undefined);
  });

  test('getByReference reads without sliding the idle timeout; destroyByReference ends the session', async () => {
    const { clock, sessions } = setup();
    const { id, record } = await sessions.create({ user: 'alice', roles: [] });
    const reference = sessions.reference(id) ?? '';
    clock.advance(IDLE - 1);
    assert.deepEqual(await sessions.getByReference(reference), record);
    clock.advance(1);
    assert.equal(await sessions.getByReference(reference), undefined, 'idle timeout counted from the last real use');
    const second = await sessions.create({ user: 'bob', roles: [] });
    await sessions.destroyByReference(sessions.reference(second.id) ?? '');
    assert.equal(await sessions.get(second.id), undefined);
    assert.equal(await sessions.getByReference('bad'), undefined);
  });

  test('unknown or malformed ids read as undefined', async () => {
    const { sessions } = setup();
    assert.equal(await sessions.get('A'.repeat(43)), undefined);
    assert.equal(await sessions.get('not a session id'), undefined);
    assert.equal(await sessions.get(''), undefined);
  });

  test('idle timeout: expires after idleTimeoutMs without use', async () => {
    const { clock, sessions } = setup();
    const { id } = await sessions.create({ user: 'alice', roles: [] });
    clock.advance(IDLE - 1);
    assert.equal((await sessions.get(id))?.data.user, 'alice');
    clock.advance(IDLE);
    assert.equal(await sessions.get(id), undefined);
  });

  test('get slides the idle expiry forward', async () => {
    const { clock, sessions } = setup();
    const { id, record } = await sessions.create({ user: 'alice', roles: [] });
    for (let i = 0; i < 4; i++) {
      clock.advance(IDLE - 1000);
      const seen = await sessions.get(id);
      assert.deepEqual(seen, { ...record, lastSeenAt: clock() });
    }
  });

  test('absolute timeout: expires even when used continuously', async () => {
    const { clock, sessions } = setup();
    const { id } = await sessions.create({ user: 'alice', roles: [] });
    for (let elapsed = 0; elapsed + IDLE / 2 < ABSOLUTE; elapsed += IDLE / 2) {
      clock.advance(IDLE / 2);
      assert.notEqual(await sessions.get(id), undefined);
    }
    clock.advance(IDLE / 2);
    assert.equal(await sessions.get(id), undefined);
  });

  test('update replaces data and counts as activity; unknown id gives undefined', async () => {
    const { clock, sessions } = setup();
    const { id, record } = await sessions.create({ user: 'alice', roles: [] });
    clock.advance(1000);
    const updated = await sessions.update(id, { user: 'alice', roles: ['reader'] });
    assert.deepEqual(updated, { data: { user: 'alice', roles: ['reader'] }, createdAt: record.createdAt, lastSeenAt: clock() });
    assert.deepEqual(await sessions.get(id), updated);
    assert.equal(await sessions.update('B'.repeat(43), { user: 'x', roles: [] }), undefined);
    assert.equal(await sessions.get('B'.repeat(43)), undefined);
  });

  test('destroy removes the session', async () => {
    const { sessions } = setup();
    const { id } = await sessions.create({ user: 'alice', roles: [] });
    await sessions.destroy(id);
    assert.equal(await sessions.get(id), undefined);
  });

  test('rotate moves the session to a new id, invalidates the old one, keeps createdAt', async () => {
    const { clock, sessions } = setup();
    const { id, record } = await sessions.create({ user: 'alice', roles: ['admin'] });
    clock.advance(5000);
    const newId = await sessions.rotate(id);
    assert.match(newId, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(newId, id);
    assert.equal(await sessions.get(id), undefined);
    assert.deepEqual(await sessions.get(newId), { data: record.data, createdAt: record.createdAt, lastSeenAt: clock() });
    // Rotation must not extend the absolute lifetime.
    clock.advance(ABSOLUTE - 5000);
    assert.equal(await sessions.get(newId), undefined);
  });

  test('rotate of an unknown, rotated or timed-out session throws SESSION_NOT_FOUND', async () => {
    const { clock, sessions } = setup();
    const { id } = await sessions.create({ user: 'alice', roles: [] });
    await sessions.rotate(id);
    await assert.rejects(sessions.rotate(id), (error) => isEntrakitError(error, 'SESSION_NOT_FOUND') && error.status === 401);
    const idle = await sessions.create({ user: 'bob', roles: [] });
    clock.advance(IDLE);
    await assert.rejects(sessions.rotate(idle.id), (error) => isEntrakitError(error, 'SESSION_NOT_FOUND'));
    await assert.rejects(sessions.rotate('junk'), (error) => isEntrakitError(error, 'SESSION_NOT_FOUND'));
  });

  test('concurrent rotations of one session: exactly one succeeds', async () => {
    const { sessions } = setup();
    const { id } = await sessions.create({ user: 'alice', roles: [] });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => sessions.rotate(id)));
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
  });

  test('the key-value entry expires with the session, so backends forget dead sessions', async () => {
    const { clock, kv, sessions } = setup();
    await sessions.create({ user: 'alice', roles: [] });
    assert.equal((await kv.keys('session:')).length, 1);
    clock.advance(IDLE);
    assert.deepEqual(await kv.keys('session:'), []);
  });

  test('options are checked at creation', () => {
    const kv = createMemoryStore();
    assert.throws(() => createSessionStore(kv, { idleTimeoutMs: 0, absoluteTimeoutMs: 1 }), { name: 'TypeError', message: /idleTimeoutMs/ });
    assert.throws(() => createSessionStore(kv, { idleTimeoutMs: 1, absoluteTimeoutMs: Number.NaN }), {
      name: 'TypeError',
      message: /absoluteTimeoutMs/,
    });
  });
});
