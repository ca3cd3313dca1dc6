import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

test('the repository entrakit bin answers --help and rejects an unknown command with exit 2', async () => {
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, ['apps/bin/entrakit.js', '--help']);
  assert.match(stdout, /^entrakit — identity for TypeScript apps on Microsoft Entra ID/);
  for (const command of ['dev', 'emulator', 'web', 'api', 'inspect']) assert.match(stdout, new RegExp(`^  ${command} `, 'm'));
  await assert.rejects(run(process.execPath, ['apps/bin/entrakit.js', 'frobnicate']), (error: { code?: number; stderr?: string }) => {
    assert.equal(error.code, 2);
    assert.match(error.stderr ?? '', /unknown command "frobnicate"/);
    return true;
  });
});
