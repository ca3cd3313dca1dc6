import type { StatementSync } from 'node:sqlite';
import { sha256Base64Url } from 'entrakit/internal';
import type { Directory } from '../directory/directory.ts';

const statements = new WeakMap<Directory, StatementSync>();

/**
 * A fingerprint of the user's password as it is now (a hash of its salted verifier, never the
 * password). A refresh-token family remembers it; a different one later means the password was
 * changed or reset, and Entra then refuses the grant (AADSTS50173).
 */
export function credentialStamp(directory: Directory, userId: string): string {
  let statement = statements.get(directory);
  if (!statement) {
    statement = directory.db.prepare("SELECT verifier FROM credentials WHERE object_id = ? AND kind = 'password'");
    statements.set(directory, statement);
  }
  const row = statement.get(userId) as { verifier: string } | undefined;
  return row ? sha256Base64Url(`credential-stamp\0${row.verifier}`).slice(0, 22) : '';
}
