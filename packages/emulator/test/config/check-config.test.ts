import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { EmulatorConfigError } from '../../src/config/load-config.ts';
import { startEmulator } from '../../src/server.ts';

const BIN = fileURLToPath(new URL('../../bin/entrakit-emulator.js', import.meta.url));
const SAME_ID = '6b0c1c52-1e1f-4a52-9b1a-2f7a3c7c9d11';
/** Passes the schema and the cross-reference checks; only applying it to a directory finds the clash. */
const CLASHING = {
  tenants: [
    {
      domain: 'clash.test',
      users: [
        { id: SAME_ID, userPrincipalName: 'ann@clash.test', password: 'Ann-password-1', displayName: 'Ann' },
        { id: SAME_ID, userPrincipalName: 'bob@clash.test', password: 'Bob-password-1', displayName: 'Bob' },
      ],
    },
  ],
};
const BROKEN_REFERENCE = { tenants: [{ domain: 'ref.test', groups: [{ displayName: 'G', members: ['nobody@ref.test'] }] }] };

function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: cwd }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('tenant file checks', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'entrakit-check-'));
    await writeFile(join(scratch, 'clash.json'), JSON.stringify(CLASHING));
    await writeFile(join(scratch, 'ref.json'), JSON.stringify(BROKEN_REFERENCE));
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  it('check-config runs every check the start runs: a clash only the directory finds is exit 2', async () => {
    const checked = await run(['check-config', 'clash.json'], scratch);
    assert.equal(checked.code, 2, checked.stderr);
    assert.match(checked.stderr, /clash\.json is not a valid emulator config:\n {2}cannot be applied: /);
    // The start says the same, with the same exit code, and the data folder is never created.
    const started = await run(['--config', 'clash.json', '--data', 'data', '--port', '0'], scratch);
    assert.equal(started.code, 2, started.stderr);
    assert.match(started.stderr, /cannot be applied: /);
    assert.equal(existsSync(join(scratch, 'data')), false, 'a refused tenant file writes nothing to the data folder');
  });

  it('startEmulator with a refused config writes nothing to the data folder (no CA, no directory, no tls/)', async () => {
    for (const file of ['clash.json', 'ref.json']) {
      const dataDir = join(scratch, `data-${file}`);
      await assert.rejects(startEmulator({ config: join(scratch, file), dataDir, port: 0, writeDevJson: false }), (error: unknown) => error instanceof EmulatorConfigError);
      assert.equal(existsSync(dataDir), false, `${file}: data folder created`);
    }
  });

  it('check-config accepts a valid file (exit 0)', async () => {
    await writeFile(join(scratch, 'good.json'), JSON.stringify({ tenants: [{ domain: 'good.test', users: [{ userPrincipalName: 'ann@good.test', password: 'Ann-password-1', displayName: 'Ann' }] }] }));
    const checked = await run(['check-config', 'good.json'], scratch);
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout, /good\.json: valid \(1 tenant\)/);
  });
});
