import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { signInWithOwnConfig } from './own-config-sign-in.ts';

const BIN = fileURLToPath(new URL('../../bin/entrakit-emulator.js', import.meta.url));

describe('entrakit-emulator from a scratch folder', () => {
  it('check-config lists each problem of a tenant file by its JSON path and exits 2', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'entrakit-ci-'));
    try {
      await writeFile(join(scratch, 'bad.json'), JSON.stringify({ tenants: [{ domain: 'ci.example', apps: [{ displayName: 'A' }, { displayName: 'B', redirectUris: ['/callback'] }] }] }));
      const child = spawn(process.execPath, [BIN, 'check-config', 'bad.json'], { cwd: scratch, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: scratch }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 2);
      assert.match(stderr, /bad\.json is not a valid emulator config:\n {2}tenants\[0\]\.apps\[1\]\.redirectUris\[0\]: must be an absolute URL/);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('starts with its own --config and signs a user into its own app (code + PKCE), then the code is exchanged', () => signInWithOwnConfig(BIN));
});
