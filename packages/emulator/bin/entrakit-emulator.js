#!/usr/bin/env node
// Installed from npm, the emulator runs its built dist/. In the entrakit repository it runs its
// TypeScript sources (Node's type stripping) with the `entrakit-source` export condition.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`@entrakit/emulator needs Node >= 22.18 (this is ${process.version}).`);
  process.exit(1);
}
if (root.split(sep).includes('node_modules') || !existsSync(join(root, 'src'))) {
  await import(pathToFileURL(join(root, 'dist', 'cli', 'main.js')).href);
} else {
  const child = spawn(process.execPath, ['--conditions=entrakit-source', join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
