import { readFile } from 'node:fs/promises';
import { provisionError } from '../errors.ts';
import type { TokenSource } from '../token-source.ts';

/** A Graph access token obtained elsewhere (e.g. `az account get-access-token`), read from a file. */
export async function tokenFileSource(path: string): Promise<TokenSource> {
  let token: string;
  try {
    token = (await readFile(path, 'utf8')).trim();
  } catch (cause) {
    throw provisionError('PROVISION_SIGN_IN_FAILED', `--token-file ${path} cannot be read`, { cause });
  }
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) throw provisionError('PROVISION_SIGN_IN_FAILED', `--token-file ${path} does not hold a JWT access token`);
  return { description: `the token in ${path}`, token: async () => token };
}
