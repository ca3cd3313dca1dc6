/**
 * The env file the provisioned values go to (`KEY=value` lines, as .env readers expect): written
 * owner-only (0600, folder 0700 when created), one key replaced or appended, the rest kept.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function readEnvFile(path: string): Promise<Map<string, string>> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (match) values.set(match[1]!, match[2]!.replace(/^(['"])(.*)\1$/, '$2'));
  }
  return values;
}

/** Sets `name=value` in the file, keeping every other line. */
export async function setEnvValue(path: string, name: string, value: string): Promise<void> {
  if (/[\r\n]/.test(value)) throw new TypeError('setEnvValue: the value must be one line');
  const lines = await readLines(path);
  const index = lines.findIndex((line) => assigns(line, name));
  if (index >= 0) lines[index] = `${name}=${value}`;
  else lines.push(`${name}=${value}`);
  await writeLines(path, lines);
}

/** Removes the lines that set `name`, keeping every other line; a missing file or name changes nothing. */
export async function removeEnvValue(path: string, name: string): Promise<void> {
  const lines = await readLines(path);
  const kept = lines.filter((line) => !assigns(line, name));
  if (kept.length !== lines.length) await writeLines(path, kept);
}

function assigns(line: string, name: string): boolean {
  return new RegExp(`^\\s*(?:export\\s+)?${name}\\s*=`).test(line);
}

async function readLines(path: string): Promise<string[]> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    const lines = (await readFile(path, 'utf8')).split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    return lines;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return [];
  }
}

async function writeLines(path: string, lines: string[]): Promise<void> {
  // Written beside, then renamed: a crash never leaves half a file, and the secret is never world-readable.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, lines.length === 0 ? '' : `${lines.join('\n')}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
