/**
 * The apps and the examples are what people copy: they use the packages' public entry points
 * (`entrakit`, `entrakit/web`, `entrakit/bearer/...`, `@entrakit/emulator/...`), never the
 * undocumented `entrakit/internal` nor a package's source files. (apps/test reaches into sources on
 * purpose and is not scanned.)
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';

const repo = join(import.meta.dirname, '..', '..');

/** Every module specifier of static imports, re-exports and dynamic import() calls. */
function specifiers(text: string): string[] {
  const found = [...text.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
  found.push(...[...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!));
  found.push(...[...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!));
  return found;
}

async function sourceFiles(folder: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(repo, folder), { recursive: true, withFileTypes: true })) {
    const path = relative(repo, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (!entry.isFile() || !/\.(?:ts|mts|js|mjs)$/.test(entry.name)) continue;
    if (path.includes('/node_modules/') || path.startsWith('apps/test/')) continue;
    files.push(path);
  }
  return files;
}

describe('apps/ and examples/ use public entry points only', () => {
  it('none imports entrakit/internal or a package source', async () => {
    const files = [...(await sourceFiles('apps')), ...(await sourceFiles('examples'))];
    assert.ok(files.length > 100 && files.some((f) => f.startsWith('examples/')), 'the scan found the apps and the examples');
    const offending: string[] = [];
    for (const file of files) {
      for (const specifier of specifiers(await readFile(join(repo, file), 'utf8'))) {
        if (specifier === 'entrakit/internal' || specifier.startsWith('entrakit/internal/')) offending.push(`${file} imports ${specifier}`);
        if (/(?:^|\/)packages\/[^/]+\/src(?:\/|$)/.test(specifier)) offending.push(`${file} imports ${specifier}`);
      }
    }
    assert.deepEqual(offending, []);
  });

  it('finds an import of entrakit/internal where there is one', () => {
    assert.deepEqual(specifiers("import { GUID } from 'entrakit/internal';\nimport type { X } from 'entrakit/internal';\nconst m = await import('entrakit/internal');"), [
      'entrakit/internal',
      'entrakit/internal',
      'entrakit/internal',
    ]);
  });
});
