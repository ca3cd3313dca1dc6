import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startTestEmulator } from '../helpers/emulator.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function clientCredentialsToken(emu: Awaited<ReturnType<typeof startTestEmulator>>): Promise<string> {
  const { web, api } = emu.devJson.apps;
  const res = await fetch(`${emu.devJson.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: web.clientId, client_secret: web.clientSecret, scope: `api://${api.clientId}/.default` }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function jwksKids(url: string, tenantId: string): Promise<string[]> {
  const { keys } = (await (await fetch(`${url}/${tenantId}/discovery/v2.0/keys`)).json()) as { keys: Array<{ kid: string }> };
  return keys.map((k) => k.kid);
}

describe('emulator data folder', () => {
  it('writes dev.json with the exact keys, and keeps CA, keys and ids across restarts', async (t) => {
    // A data folder of its own: a temporary one would be deleted by close().
    const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-persistence-'));
    const first = await startTestEmulator({ dataDir });
    // Closed even when an assertion fails, so a failure never leaves a listener behind.
    t.after(() => first.close());
    const devJson = JSON.parse(await readFile(join(first.dataDir, 'dev.json'), 'utf8'));
    assert.deepEqual(Object.keys(devJson).sort(), ['admin', 'apps', 'authority', 'emulator', 'graphBaseUrl', 'managedIdentity', 'tenantId', 'users']);
    assert.deepEqual(Object.keys(devJson.admin).sort(), ['password', 'username']);
    assert.deepEqual(devJson.apps.cli, { clientId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', redirectUri: 'http://localhost' });
    assert.equal(devJson.emulator.url, first.url);
    assert.equal(devJson.emulator.caFile, join(first.dataDir, 'ca.pem'));
    assert.match(devJson.tenantId, GUID);
    assert.equal(devJson.authority, `${first.url}/${devJson.tenantId}`);
    assert.equal(devJson.graphBaseUrl, `${first.url}/v1.0`);
    assert.deepEqual(Object.keys(devJson.apps.web).sort(), ['clientId', 'clientSecret', 'redirectUri']);
    assert.equal(devJson.apps.web.redirectUri, 'http://localhost:5000/auth/callback');
    assert.equal(devJson.apps.api.scope, `api://${devJson.apps.api.clientId}/user_impersonation`);
    assert.deepEqual(devJson.users.map((u: { username: string }) => u.username), ['adele@entrakitdemo.onmicrosoft.com', 'alex@entrakitdemo.onmicrosoft.com', 'megan@entrakitdemo.onmicrosoft.com', 'nestor@entrakitdemo.onmicrosoft.com']);
    // Megan has a second factor: her authenticator's TOTP secret (base32) sits next to her password.
    for (const u of devJson.users) {
      assert.deepEqual(Object.keys(u).sort(), u.username.startsWith('megan@') ? ['displayName', 'password', 'totpSecret', 'username'] : ['displayName', 'password', 'username']);
    }
    assert.match(devJson.users.find((u: { username: string }) => u.username.startsWith('megan@')).totpSecret, /^[A-Z2-7]{32}$/);
    assert.equal((await stat(join(first.dataDir, 'dev.json'))).mode & 0o077, 0, 'dev.json holds secrets: owner-only');
    const ca = await readFile(join(first.dataDir, 'ca.pem'), 'utf8');
    const kids = await jwksKids(first.url, devJson.tenantId);
    await first.close();

    const second = await startTestEmulator({ dataDir: first.dataDir });
    try {
      assert.equal(await readFile(join(first.dataDir, 'ca.pem'), 'utf8'), ca, 'CA is created once and reused');
      assert.deepEqual(await jwksKids(second.url, devJson.tenantId), kids, 'same kid after a restart');
      assert.equal(second.devJson.tenantId, devJson.tenantId);
      assert.equal(second.devJson.apps.web.clientId, devJson.apps.web.clientId);
      assert.equal(second.devJson.apps.web.clientSecret, devJson.apps.web.clientSecret);
    } finally {
      await second.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('seeds the same GUIDs in every data folder', async () => {
    const a = await startTestEmulator();
    const b = await startTestEmulator();
    try {
      assert.equal(a.devJson.tenantId, b.devJson.tenantId);
      assert.equal(a.devJson.apps.api.clientId, b.devJson.apps.api.clientId);
      assert.notEqual(a.devJson.apps.web.clientSecret, b.devJson.apps.web.clientSecret, 'secrets are random per install');
      const adele = a.deps.directory.findUserByUsername(a.devJson.tenantId, 'adele@entrakitdemo.onmicrosoft.com');
      assert.ok(adele);
      assert.equal(a.deps.directory.memberships.transitiveGroupIds(adele.id).length, 4, 'groups nest four levels');
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });

  it('rotates keys through the admin endpoint: the next key is published first and signs only after the lead time', async () => {
    let now = Date.now();
    const emu = await startTestEmulator({ clock: () => now, keyLeadTimeSec: 30 });
    try {
      const tid = emu.devJson.tenantId;
      const [oldKid] = await jwksKids(emu.url, tid);
      const before = await clientCredentialsToken(emu);
      const denied = await fetch(`${emu.url}/_admin/rotate-keys`, { method: 'POST' });
      assert.equal(denied.status, 401);
      const res = await fetch(`${emu.url}/_admin/rotate-keys`, { method: 'POST', headers: { 'x-entrakit-admin': emu.devJson.emulator.adminKey!, 'content-type': 'application/json' } });
      assert.equal(res.status, 200);
      const rotation = (await res.json()) as { kid: string; activatesAt: string; signingKid: string };
      const newKid = rotation.kid;
      assert.notEqual(newKid, oldKid);
      assert.equal(rotation.signingKid, oldKid);
      assert.equal(rotation.activatesAt, new Date(now + 30_000).toISOString());
      assert.deepEqual(await jwksKids(emu.url, tid), [oldKid, newKid], 'the next key is in the JWKS at once');
      assert.equal(decodeProtectedHeader(await clientCredentialsToken(emu)).kid, oldKid, 'the old key still signs during the lead time');
      now += 29_999;
      assert.equal(decodeProtectedHeader(await clientCredentialsToken(emu)).kid, oldKid);
      now += 1;
      const after = await clientCredentialsToken(emu);
      assert.equal(decodeProtectedHeader(after).kid, newKid, 'the new key signs once the lead time is over');
      assert.equal((await emu.deps.keys.activeKey()).kid, newKid);
      assert.equal(decodeProtectedHeader(before).kid, oldKid);
      const jwks = createRemoteJWKSet(new URL(`${emu.url}/${tid}/discovery/v2.0/keys`));
      for (const token of [before, after]) {
        const { payload } = await jwtVerify(token, jwks, { algorithms: ['RS256'], issuer: `${emu.url}/${tid}/v2.0`, audience: emu.devJson.apps.api.clientId, currentDate: new Date(now) });
        assert.equal(payload.tid, tid, 'tokens signed by the old key still verify until it retires');
      }
      now += 2 * 3600_000 - 1;
      assert.deepEqual(await jwksKids(emu.url, tid), [oldKid, newKid], 'kept for two hours after the switch');
      now += 1;
      assert.deepEqual(await jwksKids(emu.url, tid), [newKid], 'the old key leaves once its tokens have expired');
    } finally {
      await emu.cleanup();
    }
  });

  it('a data folder made 0755 becomes 0700 with a warning; every secret file is 0600', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'entrakit-perms-'));
    const dataDir = join(parent, 'D');
    await mkdir(dataDir, { mode: 0o755 });
    const { chmod } = await import('node:fs/promises');
    await chmod(dataDir, 0o755);
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let emu: Awaited<ReturnType<typeof startTestEmulator>> | undefined;
    try {
      emu = await startTestEmulator({ dataDir });
    } finally {
      process.stderr.write = original;
    }
    try {
      assert.deepEqual(written, [`entrakit emulator: data folder ${dataDir} was accessible to group or others (mode 755); it holds secrets, so it is now 0700\n`]);
      assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
      assert.equal((await stat(join(dataDir, 'tls'))).mode & 0o777, 0o700);
      const secrets = ['directory.db', 'emulator-state.db', 'dev.json', 'tls/ca-key.pem', 'tls/server-key.pem', 'tls/cookie-secret', 'tls/admin-key'];
      for (const file of secrets) assert.equal((await stat(join(dataDir, file))).mode & 0o777, 0o600, file);
      for (const file of await readdir(dataDir)) {
        if (/\.db-(wal|shm)$/.test(file)) assert.equal((await stat(join(dataDir, file))).mode & 0o777, 0o600, file);
      }
    } finally {
      await emu?.close();
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('database files left open to others by an earlier run, -wal and -shm included, are made 0600 at start', async () => {
    const emu = await startTestEmulator();
    const { dataDir } = emu;
    await emu.close();
    const { chmod, writeFile } = await import('node:fs/promises');
    const files = ['directory.db', 'emulator-state.db'].flatMap((db) => [db, `${db}-wal`, `${db}-shm`]);
    for (const file of files) {
      const path = join(dataDir, file);
      // SQLite removes -wal and -shm on a clean close; a crash leaves them, not empty (SQLite
      // itself fixes the mode of an empty one). Bytes that are no valid log are ignored by SQLite.
      if (!(await stat(path).catch(() => undefined))) await writeFile(path, 'left by a crash '.repeat(64));
      await chmod(path, 0o644);
    }
    const again = await startTestEmulator({ dataDir });
    try {
      for (const file of files) assert.equal((await stat(join(dataDir, file))).mode & 0o777, 0o600, file);
    } finally {
      await again.cleanup();
    }
  });

  it('close() lets an answer under way reach its client before the stores close (a stored rotation is never lost)', async () => {
    const emu = await startTestEmulator();
    const tokenPath = `/${emu.devJson.tenantId}/oauth2/v2.0/token`;
    emu.deps.faults.add({ pathPrefix: tokenPath, latencyMs: 300, count: 1 });
    // Told when the request has reached the emulator (its fault rule is looked up first).
    let arrived!: () => void;
    const reached = new Promise<void>((done) => (arrived = done));
    const take = emu.deps.faults.take.bind(emu.deps.faults);
    emu.deps.faults.take = (path: string) => {
      if (path === tokenPath) arrived();
      return take(path);
    };
    const pending = clientCredentialsToken(emu);
    await reached;
    const closing = emu.cleanup();
    const token = await pending;
    assert.equal(decodeProtectedHeader(token).alg, 'RS256', 'the token answer arrived whole');
    await closing;
  });

  it('injects faults on demand: status with Retry-After, then back to normal', async () => {
    const emu = await startTestEmulator();
    try {
      const admin = { 'x-entrakit-admin': emu.devJson.emulator.adminKey!, 'content-type': 'application/json' };
      const bad = await fetch(`${emu.url}/_admin/faults`, { method: 'POST', headers: admin, body: JSON.stringify({ pathPrefix: '/', bogus: 1 }) });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error_description: string }).error_description, /unknown property "bogus"/);
      const add = await fetch(`${emu.url}/_admin/faults`, { method: 'POST', headers: admin, body: JSON.stringify({ pathPrefix: `/${emu.devJson.tenantId}/discovery`, status: 429, retryAfterSec: 7, count: 1 }) });
      assert.equal(add.status, 201);
      const faulted = await fetch(`${emu.url}/${emu.devJson.tenantId}/discovery/v2.0/keys`);
      assert.equal(faulted.status, 429);
      assert.equal(faulted.headers.get('retry-after'), '7');
      assert.equal((await fetch(`${emu.url}/${emu.devJson.tenantId}/discovery/v2.0/keys`)).status, 200, 'count: 1 applies once');
    } finally {
      await emu.cleanup();
    }
  });
});

describe('entrakit emulator command', () => {
  it('starts, writes dev.json, rotate-keys (its folder from ENTRAKIT_DATA) is seen by the running emulator, and SIGINT stops it cleanly', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { trustCaCertificate } = await import('../../../entrakit/src/core/trust-ca.ts');
    const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-cli-'));
    const child = spawn(process.execPath, ['packages/emulator/src/cli/main.ts', '--port', '0', '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /listening on (https:\/\/localhost:\d+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const devJson = JSON.parse(await readFile(join(dataDir, 'dev.json'), 'utf8'));
      assert.equal(devJson.emulator.url, url);
      trustCaCertificate(await readFile(devJson.emulator.caFile, 'utf8'));
      assert.equal((await jwksKids(url, devJson.tenantId)).length, 1);
      // The data folder from ENTRAKIT_DATA, run from another folder: no --data, and no .entrakit there.
      const rotate = spawn(process.execPath, [join(process.cwd(), 'packages/emulator/src/cli/main.ts'), 'rotate-keys'], { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir(), env: { ...process.env, ENTRAKIT_DATA: dataDir } });
      const rotated = await new Promise<number | null>((resolve) => rotate.once('exit', resolve));
      assert.equal(rotated, 0);
      assert.equal((await jwksKids(url, devJson.tenantId)).length, 2, 'the running emulator publishes the new key');
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 0);
    } finally {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('exits 1 naming the variable when an emulator setting is invalid, releasing its port', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-cli-'));
    const child = spawn(process.execPath, ['packages/emulator/src/cli/main.ts', '--port', '0', '--data', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ENTRAKIT_EMULATOR_REFRESH_REUSE: 'sometimes' },
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
    assert.equal(code, 1);
    assert.match(err, /ENTRAKIT_EMULATOR_REFRESH_REUSE must be one of allow, revoke-family \(got "sometimes"\)/);
  });

  it('rejects a bad --port naming the option', async () => {
    const child = spawn(process.execPath, ['packages/emulator/src/cli/main.ts', '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /--port must be a port number/);
  });
});
