#!/usr/bin/env node
// In a checkout the CLI is TypeScript run by Node's type stripping (Node >= 22.18); on an older
// Node it re-runs with the Node 24 the project installs as a devDependency (npm package `node`).
// Node never strips types under node_modules, so an installed package runs the built dist/.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [major, minor] = process.versions.node.split('.').map(Number);
const installed = root.split(sep).includes('node_modules');
const main = installed ? join(root, 'dist', 'cli', 'main.js') : join(root, 'src', 'cli', 'main.ts');

if (major > 22 || (major === 22 && minor >= 19)) {
  if (!existsSync(main)) {
    console.error(`entrakit: ${main} is missing; the package was not built (npm run build).`);
    process.exit(1);
  }
  await import(pathToFileURL(main).href);
} else {
  const node24 = join(root, 'node_modules', 'node', 'bin', 'node');
  if (installed || !existsSync(node24)) {
    console.error(`entrakit needs Node >= 22.19 (this is ${process.version}); install Node 24, or run npm install in ${root}.`);
    process.exit(1);
  }
  const child = spawn(node24, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
