/** `entrakit provision` as a user runs it: the manifest is refused before any sign-in or Graph call. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const MAIN = join(import.meta.dirname, '..', '..', 'cli', 'main.ts');

function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=entrakit-source', MAIN, 'provision', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'entrakit-provision-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('entrakit provision (CLI)', () => {
  it('lists every manifest problem with its path and exits 1, before looking for dev.json', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ apps: [{ name: 'a' }, { name: 'b', api: { scopes: [{ adminConsentDisplayName: 'x', adminConsentDescription: 'y' }] } }] }));
    const result = await run([file, '--data', join(dir, 'no-such-folder')], dir);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `entrakit provision: ${file} is invalid:\n  apps[1].api.scopes[0].value: required (PROVISION_MANIFEST_INVALID)\n`);
  });

  it('names the missing dev.json for a valid manifest, and refuses bad arguments with exit 2', async () => {
    const file = join(dir, 'ok.json');
    await writeFile(file, JSON.stringify({ apps: [{ name: 'a' }] }));
    const missing = await run([file, '--data', join(dir, 'empty')], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /dev\.json not found: start the emulator/);
    const extra = await run([file, file], dir);
    assert.equal(extra.code, 2);
    assert.equal(extra.stderr, 'entrakit provision: give exactly one manifest FILE\n');
    const tenant = await run([file, '--tenant', 'not a tenant'], dir);
    assert.equal(tenant.code, 2);
    assert.match(tenant.stderr, /--tenant must be a tenant id \(GUID\) or domain/);
    const help = await run(['--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: entrakit provision FILE \[--dry-run\]/);
  });
});
