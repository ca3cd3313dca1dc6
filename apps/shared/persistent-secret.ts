import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A random secret kept in a 0600 file, created on first use. Lets a developer run the app with no
 * configuration while sessions and the encrypted token cache still survive restarts.
 */
export async function persistentSecret(path: string, bytes: number): Promise<Uint8Array> {
  const existing = await readSecret(path, bytes);
  if (existing) return existing;
  const value = randomBytes(bytes);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // 'wx' fails if another process created the file in the meantime; then read theirs.
  try {
    await writeFile(path, value.toString('base64url'), { mode: 0o600, flag: 'wx' });
    return new Uint8Array(value);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const raced = await readSecret(path, bytes);
    if (!raced) throw new Error(`${path} vanished while it was being created`, { cause: error });
    return raced;
  }
}

async function readSecret(path: string, bytes: number): Promise<Uint8Array | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const value = Buffer.from(text.trim(), 'base64url');
  if (value.length !== bytes) throw new Error(`${path} does not hold ${bytes} bytes: delete it to generate a new one`);
  return new Uint8Array(value);
}
