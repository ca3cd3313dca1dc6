import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_CODES } from '../../packages/entrakit/src/core/codes.ts';

/** A code given to EntrakitError or a *Error(...) factory (tokenError, apiError, ...). */
const ERROR_CALL = /\b(?:EntrakitError|[a-z][A-Za-z]*Error)\(\s*'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g;
const DOC_ROW = /^\| `([A-Z][A-Z0-9_]+)` \|(.*)$/gm;

/** The shipped sources of a folder (not tests). */
async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.parentPath.includes('/test')).map((e) => join(e.parentPath, e.name));
}

async function raisedIn(dirs: string[]): Promise<Set<string>> {
  const raised = new Set<string>();
  for (const dir of dirs) for (const file of await sourceFiles(dir)) for (const m of (await readFile(file, 'utf8')).matchAll(ERROR_CALL)) raised.add(m[1]!);
  return raised;
}

async function documentedRows(): Promise<Map<string, string[]>> {
  const doc = await readFile('docs/errors.md', 'utf8');
  return new Map([...doc.matchAll(DOC_ROW)].map((m) => [m[1]!, m[2]!.split(' | ').map((cell) => cell.trim().replace(/\|$/, '').trim())]));
}

describe('docs/errors.md and the error table', () => {
  it('lists every library code with the status and OAuth error of ERROR_CODES', async () => {
    const rows = await documentedRows();
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      const row = rows.get(code);
      assert.ok(row, `add ${code} to docs/errors.md`);
      const e = entry as { status: number; oauthError?: string; challenge?: true };
      assert.equal(row[0], String(e.status), `${code}: status`);
      const oauth = `${e.oauthError ? `\`${e.oauthError}\`` : '—'}${e.challenge ? ' (challenge)' : ''}`;
      assert.equal(row[1], oauth, `${code}: OAuth error column`);
    }
  });

  it('every code the library raises is in ERROR_CODES, and every table code is raised', async () => {
    const raised = await raisedIn(['packages/entrakit/src']);
    assert.ok(raised.size > 15, `found only ${raised.size} codes: the scan is broken`);
    const missing = [...raised].filter((code) => !Object.hasOwn(ERROR_CODES, code)).sort();
    assert.deepEqual(missing, [], `add these codes to packages/entrakit/src/core/codes.ts: ${missing.join(', ')}`);
    const files = (await sourceFiles('packages/entrakit/src')).filter((f) => !f.endsWith('core/codes.ts'));
    const source = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
    const unused = Object.keys(ERROR_CODES).filter((code) => !source.includes(`'${code}'`)).sort();
    assert.deepEqual(unused, [], `ERROR_CODES lists codes the library never raises: ${unused.join(', ')}`);
  });

  it('lists every code the apps and the emulator raise, and nothing stale', async () => {
    const raised = await raisedIn(['packages/emulator/src', 'apps']);
    assert.ok(raised.size > 15, `found only ${raised.size} codes: the scan is broken`);
    const rows = await documentedRows();
    const missing = [...raised].filter((code) => !rows.has(code)).sort();
    assert.deepEqual(missing, [], `add these codes to docs/errors.md: ${missing.join(', ')}`);
    const files = [...(await sourceFiles('packages/entrakit/src')), ...(await sourceFiles('packages/emulator/src')), ...(await sourceFiles('apps'))];
    const allSource = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
    const stale = [...rows.keys()].filter((code) => !Object.hasOwn(ERROR_CODES, code) && !allSource.includes(`'${code}'`)).sort();
    assert.deepEqual(stale, [], `docs/errors.md lists codes no source raises: ${stale.join(', ')}`);
  });
});
