/**
 * The web app reads the Azure SDK's names (the ones entrakit/web and the examples use). Its older
 * ENTRA_* names keep working for existing .env files; setting an old and a new name to different
 * values is refused, naming both, so a half-migrated file never picks one silently.
 */
import { WebConfigError } from './errors.ts';

/** Each setting's name and the older name that still sets it. */
export const OLDER_NAMES = {
  AZURE_TENANT_ID: 'ENTRA_TENANT_ID',
  AZURE_CLIENT_ID: 'ENTRA_CLIENT_ID',
  AZURE_CLIENT_SECRET: 'ENTRA_CLIENT_SECRET',
  AZURE_AUTHORITY_HOST: 'ENTRA_INSTANCE',
} as const;

export type CurrentName = keyof typeof OLDER_NAMES;

/** Ids and hosts compare without case, a URL without its trailing slash; a secret exactly. */
function sameSetting(name: CurrentName, a: string, b: string): boolean {
  if (name === 'AZURE_CLIENT_SECRET') return a === b;
  const normal = (v: string) => v.replace(/\/+$/, '').toLowerCase();
  return normal(a) === normal(b);
}

/** Throws when a setting and its older name are both set to different values (compared trimmed). */
export function refuseConflictingNames(env: Record<string, string | undefined>): void {
  for (const [current, older] of Object.entries(OLDER_NAMES)) {
    const a = env[current]?.trim();
    const b = env[older]?.trim();
    if (a === undefined || b === undefined) continue;
    if (!sameSetting(current as CurrentName, a, b)) {
      throw new WebConfigError(current, `${current} and ${older} (its older name) are both set, to different values: remove ${older}`);
    }
  }
  const path = env['AZURE_CLIENT_CERTIFICATE_PATH']?.trim();
  if (path === undefined) return;
  for (const older of ['ENTRA_CLIENT_CERTIFICATE_FILE', 'ENTRA_CLIENT_CERTIFICATE_KEY_FILE']) {
    const value = env[older]?.trim();
    if (value !== undefined && value !== path) {
      throw new WebConfigError('AZURE_CLIENT_CERTIFICATE_PATH', `AZURE_CLIENT_CERTIFICATE_PATH and ${older} (an older name) are both set, to different files: remove ${older}`);
    }
  }
}
