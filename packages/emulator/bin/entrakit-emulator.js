#!/usr/bin/env node
// Installed from npm, the emulator runs its built dist/. In the entrakit repository it runs its
// TypeScript sources (Node's type stripping) with the `entrakit-source` export condition.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The same rule as "engines" in package.json: tls.setDefaultCACertificates (22.19 on the 22 line,
// 24.5 on 24) and node:sqlite; the repository's TypeScript sources also need type stripping (22.18).
const [major, minor] = process.versions.node.split('.').map(Number);
if (!((major === 22 && minor >= 19) || (major === 24 && minor >= 5) || major > 24)) {
  console.error(`@entrakit/emulator needs Node ^22.19.0 or >= 24.5.0 (this is ${process.version}).`);
  process.exit(1);
}
if (root.split(sep).includes('node_modules') || !existsSync(join(root, 'src'))) {
  await import(pathToFileURL(join(root, 'dist', 'cli', 'main.js')).href);
} else {
  const child = spawn(process.execPath, ['--conditions=entrakit-source', join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
