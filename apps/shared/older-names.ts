/**
 * The apps read the Azure SDK's names (the ones entrakit/web and the examples use); their older
 * ENTRA_* names keep working for existing .env files. An old and a new name set to different
 * values is a conflict the caller refuses, naming both, so a half-migrated file never picks one
 * silently.
 */

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

/** The first of `names` set under both its names to different values (compared trimmed), if any. */
export function conflictingOlderName(env: Readonly<Record<string, string | undefined>>, names: readonly CurrentName[] = Object.keys(OLDER_NAMES) as CurrentName[]): { current: CurrentName; older: string; message: string } | undefined {
  for (const current of names) {
    const older = OLDER_NAMES[current];
    const a = env[current]?.trim();
    const b = env[older]?.trim();
    if (a === undefined || b === undefined || a === '' || b === '') continue;
    if (!sameSetting(current, a, b)) return { current, older, message: `${current} and ${older} (its older name) are both set, to different values: remove ${older}` };
  }
  return undefined;
}

/** The setting under its current name, else its older name (empty counts as unset). */
export function readSetting(env: Readonly<Record<string, string | undefined>>, current: CurrentName): string | undefined {
  const value = env[current]?.trim() || env[OLDER_NAMES[current]]?.trim();
  return value === '' ? undefined : value;
}
