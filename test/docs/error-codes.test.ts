import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

/** Every stable error code raised in the packages and apps must be listed in docs/errors.md, and nothing stale. */
const ERROR_CALL = /\b(?:EntrakitError|[a-z][A-Za-z]*Error)\(\s*'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g;

/** The shipped sources: the two packages and the apps (not their tests). */
async function sourceFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of ['packages/entrakit/src', 'packages/emulator/src', 'apps']) {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    files.push(...entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.parentPath.includes('/test')).map((e) => join(e.parentPath, e.name)));
  }
  return files;
}

test('docs/errors.md lists every error code the source raises', async () => {
  const raised = new Set<string>();
  for (const file of await sourceFiles()) {
    for (const match of (await readFile(file, 'utf8')).matchAll(ERROR_CALL)) raised.add(match[1]!);
  }
  assert.ok(raised.size > 20, `found only ${raised.size} codes: the scan is broken`);
  const doc = await readFile('docs/errors.md', 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));
  const missing = [...raised].filter((c) => !documented.has(c)).sort();
  assert.deepEqual(missing, [], `add these codes to docs/errors.md: ${missing.join(', ')}`);
  const allSource = (await Promise.all((await sourceFiles()).map((f) => readFile(f, 'utf8')))).join('\n');
  const stale = [...documented].filter((c) => !allSource.includes(`'${c}'`)).sort();
  assert.deepEqual(stale, [], `docs/errors.md lists codes no source raises: ${stale.join(', ')}`);
});
