/**
 * One statement about Node: the workspace packages' `engines`, the emulator's start-up check and the
 * README agree; and `npm install` (dry run, from the lockfile, offline: about 3 s) prints no
 * EBADENGINE warning on a supported Node, and on the machine's older Node (when it has one) only the
 * warnings the README names.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '..', '..');
const RULE = '^22.19.0 || >=24.5.0';
const WORKSPACES = ['packages/entrakit', 'packages/emulator', 'apps'];
/** npm's own command line, to run under a chosen Node (npm checks engines against the Node running it). */
const NPM_CLI = [join(process.execPath, '..', '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'), '/usr/lib/node_modules/npm/bin/npm-cli.js', '/usr/local/lib/node_modules/npm/bin/npm-cli.js'].find((path) => existsSync(path));
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path) && Number(spawnSync(path, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim()) < 22);

async function json(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(ROOT, path), 'utf8')) as Record<string, unknown>;
}

describe('the Node the code needs', () => {
  it('is stated once, alike in engines, the emulator\'s check and the READMEs', async () => {
    for (const workspace of WORKSPACES) assert.deepEqual((await json(`${workspace}/package.json`))['engines'], { node: RULE }, workspace);
    const bin = await readFile(join(ROOT, 'packages/emulator/bin/entrakit-emulator.js'), 'utf8');
    assert.match(bin, /needs Node \^22\.19\.0 or >= 24\.5\.0/);
    assert.match(bin, /\(major === 22 && minor >= 19\) \|\| \(major === 24 && minor >= 5\) \|\| major > 24/);
    for (const readme of ['README.md', 'packages/entrakit/README.md', 'packages/emulator/README.md']) {
      const text = await readFile(join(ROOT, readme), 'utf8');
      assert.match(text, /Node \^22\.19\.0 or >= 24\.5\.0/, readme);
      assert.doesNotMatch(text, /Node >= ?22\.1[0-9]|any Node >= 20 with npm;/i, `${readme} states no other rule`);
    }
  });

  it('the emulator refuses an older Node at start with the rule', { skip: OLD_NODE ? false : 'no Node older than 22 on this machine' }, () => {
    const result = spawnSync(OLD_NODE!, [join(ROOT, 'packages/emulator/bin/entrakit-emulator.js'), '--help'], { encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^@entrakit\/emulator needs Node \^22\.19\.0 or >= 24\.5\.0 \(this is v\d+/);
  });
});

describe('npm install from a fresh checkout', { skip: NPM_CLI ? false : 'npm\'s CLI not found' }, () => {
  /** A scratch checkout of what npm reads: the manifests and the lockfile. */
  async function scratchCheckout(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'entrakit-engines-'));
    for (const file of ['package.json', 'package-lock.json', ...WORKSPACES.map((w) => `${w}/package.json`)]) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await cp(join(ROOT, file), join(dir, file));
    }
    return dir;
  }

  async function engineWarnings(node: string): Promise<string[]> {
    const dir = await scratchCheckout();
    try {
      const { stdout, stderr } = await promisify(execFile)(node, [NPM_CLI!, 'install', '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
      assert.match(stdout, /added \d+ packages/, 'npm resolved the whole tree');
      return [...new Set([...stderr.matchAll(/EBADENGINE {3}package: '([^']+)'/g)].map((m) => m[1]!))].sort();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('prints no EBADENGINE warning on a supported Node (this one)', async () => {
    assert.deepEqual(await engineWarnings(process.execPath), []);
  });

  it('on an older Node prints only the warnings the README names', { skip: OLD_NODE ? false : 'no Node older than 22 on this machine' }, async () => {
    const warned = await engineWarnings(OLD_NODE!);
    assert.deepEqual(warned, ['@azure/core-auth@1.11.0', '@azure/core-process@1.0.0', '@azure/identity@4.14.1', '@entrakit/apps@0.2.0', '@entrakit/emulator@0.2.0', 'cookie@2.0.2', 'entrakit@0.2.0']);
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    for (const name of new Set(warned.map((w) => w.replace(/@[^@]+$/, '')))) {
      assert.ok(readme.includes(`\`${name}\``) || (name.startsWith('@azure/core-') && readme.includes('`@azure/core-*`')), `the README names ${name}`);
    }
  });
});
