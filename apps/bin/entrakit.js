#!/usr/bin/env node
// The repository's `entrakit` command. Its TypeScript runs directly through Node's type stripping,
// with the `entrakit-source` export condition so the workspace packages resolve to their sources.
// On a Node older than 22.18 it uses the Node 24 the repository installs (npm package `node`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appsDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(appsDir, 'cli', 'main.ts');
const [major, minor] = process.versions.node.split('.').map(Number);
const node24 = join(appsDir, '..', 'node_modules', 'node', 'bin', 'node');
const modern = major > 22 || (major === 22 && minor >= 18);
if (!modern && !existsSync(node24)) {
  console.error(`entrakit needs Node >= 22.18 (this is ${process.version}); run npm install in ${join(appsDir, '..')}.`);
  process.exit(1);
}
const child = spawn(modern ? process.execPath : node24, ['--conditions=entrakit-source', main, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
