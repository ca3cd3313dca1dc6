import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';

// `npm test` builds dist/ first (pretest); these import the package by its own name, as users do.
const built = existsSync('dist/index.js');

test('the package entry points load from the built dist/ and export the documented functions', { skip: built ? false : 'dist/ missing: run npm run build' }, async () => {
  const root = await import('entrakit');
  for (const name of ['validateIdToken', 'validateAccessToken', 'createDiscoveryClient', 'explainClaims', 'decodeToken', 'trustCaCertificate']) {
    assert.equal(typeof (root as Record<string, unknown>)[name], 'function', `entrakit exports ${name}`);
  }
  assert.equal(new root.EntrakitError('X_Y', 'm', { status: 401 }).code, 'X_Y');
  const bearer = await import('entrakit/bearer');
  assert.equal(typeof bearer.createBearerAuthenticator, 'function');
  assert.equal(typeof bearer.bearerAuth, 'function');
  const store = await import('entrakit/store');
  assert.equal(typeof store.createSqliteStore, 'function');
  const emulator = await import('entrakit/emulator');
  assert.equal(typeof emulator.startEmulator, 'function');
  assert.equal(typeof (await import('entrakit/web')).createWebApp, 'function');
  assert.equal(typeof (await import('entrakit/api')).createApiApp, 'function');
  assert.equal(typeof (await import('entrakit/api')).createApiListener, 'function');
});

test('the entrakit bin answers --help and rejects an unknown command with exit 2', async () => {
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, ['bin/entrakit.js', '--help']);
  assert.match(stdout, /^entrakit — identity for TypeScript apps on Microsoft Entra ID/);
  for (const command of ['dev', 'emulator', 'web', 'api', 'inspect']) assert.match(stdout, new RegExp(`^  ${command} `, 'm'));
  await assert.rejects(run(process.execPath, ['bin/entrakit.js', 'frobnicate']), (error: { code?: number; stderr?: string }) => {
    assert.equal(error.code, 2);
    assert.match(error.stderr ?? '', /unknown command "frobnicate"/);
    return true;
  });
});
