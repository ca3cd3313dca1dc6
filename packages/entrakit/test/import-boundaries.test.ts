import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const src = join(import.meta.dirname, '..', 'src');

/** Every module specifier a source file imports (static imports and `import type`). */
async function importsBySourceFile(): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const entry of await readdir(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    const text = await readFile(path, 'utf8');
    found.set(relative(src, path), [...text.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+'([^']+)'/gm)].map((m) => m[1]!));
  }
  return found;
}

describe('optional peers are imported only where their entry needs them', () => {
  it('only src/web imports @azure/msal-node; only each adapter imports its framework', async () => {
    const allowed: Array<[RegExp, (file: string) => boolean]> = [
      [/^@azure\/msal-/, (file) => file.startsWith('web/')],
      [/^hono(\/|$)/, (file) => file === 'bearer/hono.ts'],
      [/^fastify(\/|$)/, (file) => file === 'bearer/fastify.ts'],
      [/^express(\/|$)/, () => false],
      [/^ioredis$/, (file) => file === 'store/redis-store.ts'],
    ];
    const imports = await importsBySourceFile();
    assert.ok(imports.size > 40, 'the scan found the sources');
    const offending: string[] = [];
    for (const [file, specifiers] of imports) {
      for (const specifier of specifiers) {
        for (const [pattern, ok] of allowed) if (pattern.test(specifier) && !ok(file)) offending.push(`${file} imports ${specifier}`);
      }
    }
    assert.deepEqual(offending, []);
    assert.ok(imports.get('bearer/hono.ts')?.includes('hono/http-exception'), 'the scan reads import lines');
  });
});
