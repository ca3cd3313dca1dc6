import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readEnvFile, setEnvValue } from '../../provision/env-file.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'entrakit-envfile-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('env file', () => {
  it('creates the file 0600 in a new 0700 folder', async () => {
    const path = join(dir, 'secrets', '.env');
    await setEnvValue(path, 'ENTRA_CLIENT_SECRET', 'abc~def.ghi');
    assert.equal(await readFile(path, 'utf8'), 'ENTRA_CLIENT_SECRET=abc~def.ghi\n');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'secrets'))).mode & 0o777, 0o700);
  });

  it('replaces one key, keeps the other lines, and makes an existing file owner-only', async () => {
    const path = join(dir, '.env');
    await writeFile(path, '# comment\nPORT=5000\nexport ENTRA_CLIENT_ID=old\n', { mode: 0o644 });
    await setEnvValue(path, 'ENTRA_CLIENT_ID', 'new');
    await setEnvValue(path, 'ENTRA_CLIENT_SECRET', 's');
    assert.equal(await readFile(path, 'utf8'), '# comment\nPORT=5000\nENTRA_CLIENT_ID=new\nENTRA_CLIENT_SECRET=s\n');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual([...(await readEnvFile(path))], [['PORT', '5000'], ['ENTRA_CLIENT_ID', 'new'], ['ENTRA_CLIENT_SECRET', 's']]);
    assert.deepEqual([...(await readEnvFile(join(dir, 'missing.env')))], []);
    await assert.rejects(setEnvValue(path, 'X', 'a\nb'), TypeError);
  });
});
