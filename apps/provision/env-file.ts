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
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let lines: string[] = [];
  try {
    lines = (await readFile(path, 'utf8')).split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const pattern = new RegExp(`^\\s*(?:export\\s+)?${name}\\s*=`);
  const index = lines.findIndex((line) => pattern.test(line));
  if (index >= 0) lines[index] = `${name}=${value}`;
  else lines.push(`${name}=${value}`);
  // Written beside, then renamed: a crash never leaves half a file, and the secret is never world-readable.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${lines.join('\n')}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
