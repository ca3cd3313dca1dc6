import type { DatabaseSync } from 'node:sqlite';
import { createReadCache } from './read-cache.ts';

/** Role template ids of Entra's built-in directory roles the emulator knows. */
export const DIRECTORY_ROLES = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  applicationAdministrator: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
  cloudApplicationAdministrator: '158c047a-c907-4556-b7ef-446551a6b5f7',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  groupsAdministrator: 'fdd7a751-b60b-444a-984c-02652fe8fa1c',
} as const;

/** Which users hold which directory roles; read for every token (`wids`) and every Graph write. */
export function createDirectoryRoleTable(db: DatabaseSync) {
  const add = db.prepare('INSERT OR IGNORE INTO directory_role_members (principal_id, role_template_id) VALUES (?, ?)');
  const removeAll = db.prepare('DELETE FROM directory_role_members WHERE principal_id = ?');
  const removeOne = db.prepare('DELETE FROM directory_role_members WHERE principal_id = ? AND role_template_id = ?');
  const everyone = db.prepare('SELECT principal_id, role_template_id FROM directory_role_members ORDER BY rowid');
  const forPrincipal = db.prepare('SELECT role_template_id FROM directory_role_members WHERE principal_id = ? ORDER BY role_template_id');
  const cache = createReadCache(db);
  return {
    assign(principalId: string, roleTemplateId: string): void {
      add.run(principalId, roleTemplateId);
      cache.clear();
    },
    /** False when the principal did not hold the role. */
    unassign(principalId: string, roleTemplateId: string): boolean {
      const removed = Number(removeOne.run(principalId, roleTemplateId).changes) > 0;
      cache.clear();
      return removed;
    },
    /** Every assignment (Graph's roleManagement/directory/roleAssignments; callers filter by tenant). */
    all(): Array<{ principalId: string; roleTemplateId: string }> {
      return (everyone.all() as Array<{ principal_id: string; role_template_id: string }>).map((r) => ({ principalId: r.principal_id, roleTemplateId: r.role_template_id }));
    },
    /** A deleted user or group holds no roles. */
    removePrincipal(principalId: string): void {
      removeAll.run(principalId);
      cache.clear();
    },
    /** Role template ids the principal holds (the `wids` claim). */
    templateIds(principalId: string): readonly string[] {
      return cache.get(principalId, () => (forPrincipal.all(principalId) as Array<{ role_template_id: string }>).map((r) => r.role_template_id));
    },
  };
}
