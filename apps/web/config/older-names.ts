/**
 * The web app's older ENTRA_* names (apps/shared/older-names.ts), plus its older two-file
 * certificate pair, which AZURE_CLIENT_CERTIFICATE_PATH replaces.
 */
import { conflictingOlderName } from '../../shared/older-names.ts';
import { WebConfigError } from './errors.ts';


/** Throws when a setting and its older name are both set to different values (compared trimmed). */
export function refuseConflictingNames(env: Record<string, string | undefined>): void {
  const conflict = conflictingOlderName(env);
  if (conflict) throw new WebConfigError(conflict.current, conflict.message);
  const path = env['AZURE_CLIENT_CERTIFICATE_PATH']?.trim();
  if (path === undefined) return;
  for (const older of ['ENTRA_CLIENT_CERTIFICATE_FILE', 'ENTRA_CLIENT_CERTIFICATE_KEY_FILE']) {
    const value = env[older]?.trim();
    if (value !== undefined && value !== path) {
      throw new WebConfigError('AZURE_CLIENT_CERTIFICATE_PATH', `AZURE_CLIENT_CERTIFICATE_PATH and ${older} (an older name) are both set, to different files: remove ${older}`);
    }
  }
}
