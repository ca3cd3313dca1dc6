import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { signInWithOwnConfig } from '../../packages/emulator/test/product/own-config-sign-in.ts';

const run = promisify(execFile);
/** What a user's shell has: no export condition that would point the packages back at sources. */
const userEnv = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };
const repo = resolve(import.meta.dirname, '..', '..');
const rootManifest = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const appsManifest = JSON.parse(await readFile(join(repo, 'apps', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
/** Users of the library need at most this many packages for `npm install entrakit`. */
const MAX_LIBRARY_PACKAGES = 40;

let scratch = '';
const tarballs: Record<string, string> = {};

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' } });
  return stdout;
}

async function project(name: string, dependencies: Record<string, string>): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', dependencies }, null, 2));
  await npm(['install', '--omit=dev'], dir);
  return dir;
}

/** Every package folder under node_modules (scoped ones counted once each). */
async function installedPackages(dir: string): Promise<string[]> {
  const lock = JSON.parse(await readFile(join(dir, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  return Object.keys(lock.packages).filter((path) => path.startsWith('node_modules/'));
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** The README's install-from-checkout block: the lines after its marker comment, in the ```sh fence. */
export function installFromCheckoutBlock(readme: string): string[] {
  const marker = readme.indexOf('<!-- install-from-checkout');
  assert.ok(marker >= 0, 'the README marks its install-from-checkout block');
  const fence = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker));
  assert.ok(fence, 'a ```sh block follows the marker');
  return fence[1]!.split('\n').filter((line) => line.trim() !== '');
}

describe('the publishable packages, installed from their packed tarballs', { timeout: 600_000 }, () => {
  /** The user's project the README's commands installed into. */
  let yourApp = '';
  let readmeOutput = '';

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'entrakit-packed-'));
    // The README's commands, as written, run by bash from the checkout; only the placeholder
    // path/to/your-app names a real (empty) project, and HOME is the scratch folder.
    const lines = installFromCheckoutBlock(await readFile(join(repo, 'README.md'), 'utf8'));
    yourApp = join(scratch, 'your-app');
    await mkdir(yourApp);
    await writeFile(join(yourApp, 'package.json'), JSON.stringify({ name: 'your-app', private: true, type: 'module' }, null, 2));
    const script = ['set -euo pipefail', ...lines.map((line) => line.replace('cd path/to/your-app', `cd ${JSON.stringify(yourApp)}`))].join('\n');
    assert.equal(lines.filter((line) => line.includes('path/to/your-app')).length, 1, 'one placeholder, replaced');
    const { stdout } = await run('bash', ['-c', script], {
      cwd: repo,
      maxBuffer: 16 * 1024 * 1024,
      env: { PATH: process.env['PATH'] ?? '', HOME: scratch, npm_config_cache: join(process.env['HOME'] ?? scratch, '.npm'), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_prefer_offline: 'true', npm_config_loglevel: 'error' },
    });
    readmeOutput = stdout;
    const packages = join(scratch, 'entrakit-packages');
    for (const file of await readdir(packages)) {
      const name = file.startsWith('entrakit-emulator-') ? '@entrakit/emulator' : 'entrakit';
      tarballs[name] = join(packages, file);
      const { stdout: listing } = await run('tar', ['-tzf', tarballs[name]]);
      assert.ok(!listing.split('\n').some((path) => path.startsWith('package/src/') || path.startsWith('package/test/')), `${name} ships only built files`);
    }
    assert.deepEqual(Object.keys(tarballs).sort(), ['@entrakit/emulator', 'entrakit']);
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  it('the README\'s install-from-checkout commands install both packages into a project, and the package READMEs give the same commands', async () => {
    const manifest = JSON.parse(await readFile(join(yourApp, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    assert.deepEqual(Object.keys(manifest.dependencies ?? {}).sort(), ['entrakit', 'hono']);
    assert.deepEqual(Object.keys(manifest.devDependencies ?? {}), ['@entrakit/emulator']);
    for (const name of ['entrakit', '@entrakit/emulator', 'hono']) {
      const installed = JSON.parse(await readFile(join(yourApp, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      assert.ok(installed.version, name);
    }
    assert.match(readmeOutput, /Usage: entrakit-emulator /, 'npx entrakit-emulator --help ran from the project');
    const lines = installFromCheckoutBlock(await readFile(join(repo, 'README.md'), 'utf8'));
    for (const readme of ['packages/entrakit/README.md', 'packages/emulator/README.md']) {
      const text = await readFile(join(repo, readme), 'utf8');
      for (const line of lines.slice(0, 4)) assert.ok(text.includes(line), `${readme} gives the tested line: ${line}`);
      assert.doesNotMatch(text, /^npx @entrakit\/emulator|^npm install entrakit\b/m, `${readme} gives no registry command that answers 404 today`);
    }
    assert.ok((await readFile(join(repo, 'packages/emulator/README.md'), 'utf8')).includes(lines[4]!), 'the emulator README installs the emulator tarball as tested');
  });

  it(`npm install entrakit pulls at most ${MAX_LIBRARY_PACKAGES} packages, without the apps' dependencies`, async () => {
    const dir = await project('library-only', { entrakit: `file:${tarballs['entrakit']}` });
    const packages = await installedPackages(dir);
    const bytes = await folderBytes(join(dir, 'node_modules'));
    console.log(`# npm install entrakit: ${packages.length} packages, ${(bytes / 1024 / 1024).toFixed(1)} MB`);
    assert.ok(packages.length <= MAX_LIBRARY_PACKAGES, `${packages.length} packages: ${packages.join(', ')}`);
    for (const unwanted of ['azurite', '@azure/storage-blob', 'pino', 'ioredis', '@entrakit/emulator']) {
      assert.ok(!packages.includes(`node_modules/${unwanted}`), `${unwanted} is not a dependency of the library`);
    }
  });

  it('a bearer-only install has no @azure/msal-node, and checks a token', async () => {
    const dir = await project('bearer-only', { entrakit: `file:${tarballs['entrakit']}` });
    const packages = await installedPackages(dir);
    const bytes = await folderBytes(join(dir, 'node_modules'));
    console.log(`# bearer-only install of entrakit: ${packages.length} packages, ${(bytes / 1024 / 1024).toFixed(1)} MB`);
    for (const unwanted of ['@azure/msal-node', '@azure/msal-common', 'hono', 'express', 'fastify']) {
      assert.ok(!packages.includes(`node_modules/${unwanted}`), `${unwanted} is not installed for bearer use`);
    }
    await copyFile(join(repo, 'test', 'package', 'scratch-example', 'bearer-only.ts'), join(dir, 'bearer-only.ts'));
    const { stdout } = await run(process.execPath, ['bearer-only.ts'], { cwd: dir, env: userEnv });
    assert.deepEqual(JSON.parse(stdout), { kind: 'user', scopes: ['user_impersonation'], refused: 'BEARER_TOKEN_MISSING' });
  });

  it('the README example (a Hono app protected by bearerAuth, the emulator in-process) type-checks and runs', async () => {
    const dir = await project('readme-example', {
      entrakit: `file:${tarballs['entrakit']}`,
      '@entrakit/emulator': `file:${tarballs['@entrakit/emulator']}`,
      hono: appsManifest.dependencies['hono']!,
      // entrakit/web (safeReturnTo here) needs MSAL, an optional peer of entrakit.
      '@azure/msal-node': rootManifest.devDependencies['@azure/msal-node']!,
    });
    await copyFile(join(repo, 'test', 'package', 'scratch-example', 'protect-an-api.ts'), join(dir, 'protect-an-api.ts'));
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2024', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true,
          allowImportingTsExtensions: true, verbatimModuleSyntax: true, skipLibCheck: false,
          lib: ['es2024', 'dom'], types: ['node'], typeRoots: [join(repo, 'node_modules', '@types')],
        },
        include: ['protect-an-api.ts'],
      }),
    );
    assert.ok(rootManifest.devDependencies['typescript'], 'the repository type-checks with its own TypeScript');
    await run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir });
    const { stdout } = await run(process.execPath, ['protect-an-api.ts'], { cwd: dir, env: userEnv });
    const result = JSON.parse(stdout) as Record<string, unknown>;
    assert.equal(result['anonymous'], 401);
    assert.equal(result['challenge'], 'Bearer realm="api"');
    assert.equal(result['signed'], 200);
    assert.match(String((result['body'] as { hello?: unknown }).hello), /^[0-9a-f-]{36}$/);
    assert.equal(result['explained'], true);
    assert.equal(result['sessions'], 'function');
    assert.equal(result['returnTo'], '/');

    const bin = join(dir, 'node_modules', '.bin', 'entrakit-emulator');
    const help = await run(process.execPath, [bin, '--help'], { cwd: dir, env: userEnv });
    assert.match(help.stdout, /^Usage: entrakit-emulator /);
    await assert.rejects(run(process.execPath, [bin, '--port', 'x'], { cwd: dir, env: userEnv }), (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr ?? '', /--port must be a port number/);
      return true;
    });
    // As another project's CI would: the installed bin, its own tenant file, its own app.
    await signInWithOwnConfig(bin);
  });
});
