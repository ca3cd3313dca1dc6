/**
 * `entrakit-emulator trust` against a scratch HOME: before it, Chromium refuses the emulator's
 * certificate; after it, https://localhost:PORT opens without a certificate error (no
 * --ignore-certificate-errors); after `trust --uninstall`, Chromium refuses it again. The system
 * store is left alone here (--no-system): this machine's store is not the test's to change.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { startEmulator } from '../../src/server.ts';
import type { RunningEmulator } from '../../src/server.ts';
import { caIdentity, systemStorePlan } from '../../src/tls/trust-store.ts';

const BIN = fileURLToPath(new URL('../../bin/entrakit-emulator.js', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const CERTUTIL = ['/usr/bin/certutil', '/usr/local/bin/certutil'].some((path) => existsSync(path));

async function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

/** A fresh headless Chromium with HOME set, so it reads HOME/.pki/nssdb; what opening url gives. */
async function open(home: string, url: string): Promise<{ ok: true; title: string } | { ok: false; error: string }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    env: { ...process.env, HOME: home },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    try {
      const response = await page.goto(url);
      return { ok: true, title: `${response?.status()} ${await page.title()}` };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  } finally {
    await browser.close();
  }
}

describe('entrakit-emulator trust', { skip: !existsSync(CHROMIUM) || !CERTUTIL ? 'needs /usr/bin/chromium and certutil (libnss3-tools)' : false }, () => {
  let scratch: string;
  let home: string;
  let emulator: RunningEmulator;
  let env: Record<string, string>;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'entrakit-trust-'));
    home = join(scratch, 'home');
    await mkdir(home);
    emulator = await startEmulator({ dataDir: join(scratch, 'data'), port: 0 });
    env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home };
  });

  after(async () => {
    await emulator?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('makes Chromium open https://localhost:PORT without a certificate error, and --uninstall undoes it', async () => {
    const url = `${emulator.url}/`;
    assert.match(url, /^https:\/\/localhost:\d+\/$/);
    const before = await open(home, url);
    assert.equal(before.ok, false, 'an untrusted CA is refused first');
    assert.match((before as { error: string }).error, /ERR_CERT_AUTHORITY_INVALID/);

    const trusted = await run(['trust', '--data', join(scratch, 'data'), '--no-system'], env);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.match(trusted.stdout, /added to Chromium \(and Chrome\) \(.*\.pki\/nssdb\)/);
    assert.ok(trusted.stdout.includes(`export NODE_EXTRA_CA_CERTS="${join(scratch, 'data', 'ca.pem')}"`), trusted.stdout);
    assert.match(trusted.stdout, /export REQUESTS_CA_BUNDLE="/);
    const opened = await open(home, url);
    assert.equal(opened.ok, true, JSON.stringify(opened));
    assert.match((opened as { title: string }).title, /^200 .*entrakit emulator$/);

    const again = await run(['trust', '--data', join(scratch, 'data'), '--no-system'], env);
    assert.equal(again.code, 0, 'a second trust changes nothing and succeeds');

    const removed = await run(['trust', '--data', join(scratch, 'data'), '--no-system', '--uninstall'], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /removed from Chromium/);
    const afterRemoval = await open(home, url);
    assert.equal(afterRemoval.ok, false);
    assert.match((afterRemoval as { error: string }).error, /ERR_CERT_AUTHORITY_INVALID/);
  });

  it('without certutil names the package to install and exits 1', async () => {
    const result = await run(['trust', '--data', join(scratch, 'data'), '--no-system'], { PATH: '', HOME: home });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /certutil was not found.*install libnss3-tools/);
  });

  it('--uninstall of a data folder without a CA is an error, not a silent success', async () => {
    const result = await run(['trust', '--data', join(scratch, 'nothing-here'), '--uninstall', '--no-system'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /nothing-here\/ca\.pem does not exist/);
  });
});

describe('the system store plan', () => {
  it('names the exact commands for macOS and Windows, and the Debian store file', async () => {
    const emulator = await startEmulator({ dataDir: await mkdtemp(join(tmpdir(), 'entrakit-trust-plan-')), port: 0 });
    try {
      const identity = caIdentity(emulator.caPem);
      assert.deepEqual(systemStorePlan('/d/ca.pem', identity, { platform: 'darwin', uninstall: false }), {
        kind: 'print',
        store: 'the macOS System keychain',
        commands: ['sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain "/d/ca.pem"'],
      });
      assert.deepEqual(systemStorePlan('/d/ca.pem', identity, { platform: 'win32', uninstall: true }), {
        kind: 'print',
        store: 'the Windows Trusted Root store (from an administrator prompt)',
        commands: [`certutil -delstore ROOT ${identity.serialNumber}`],
      });
      const debian = systemStorePlan('/d/ca.pem', identity, { platform: 'linux', uninstall: false, has: (path) => path === '/usr/local/share/ca-certificates' || path === '/usr/sbin/update-ca-certificates' });
      assert.deepEqual(debian, {
        kind: 'run',
        store: `the system store (/usr/local/share/ca-certificates/${identity.systemFileName})`,
        file: `/usr/local/share/ca-certificates/${identity.systemFileName}`,
        commands: [{ file: 'update-ca-certificates', args: [] }],
      });
      assert.match(identity.systemFileName, /^entrakit-local-ca-[0-9a-f]{12}\.crt$/);
    } finally {
      await emulator.close();
      await rm(emulator.dataDir, { recursive: true, force: true });
    }
  });
});
