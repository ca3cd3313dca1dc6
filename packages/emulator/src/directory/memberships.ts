import type { DatabaseSync } from 'node:sqlite';

/** Group membership edges; transitive queries walk nested groups with a recursive CTE. */
export function createMembershipTable(db: DatabaseSync) {
  const add = db.prepare('INSERT OR IGNORE INTO memberships (group_id, member_id) VALUES (?, ?)');
  const remove = db.prepare('DELETE FROM memberships WHERE group_id = ? AND member_id = ?');
  const removeObject = db.prepare('DELETE FROM memberships WHERE group_id = ? OR member_id = ?');
  const direct = db.prepare('SELECT group_id FROM memberships WHERE member_id = ? ORDER BY group_id');
  const members = db.prepare('SELECT member_id FROM memberships WHERE group_id = ? ORDER BY member_id');
  const transitive = db.prepare(`
    WITH RECURSIVE up(group_id) AS (
      SELECT group_id FROM memberships WHERE member_id = ?
      UNION
      SELECT m.group_id FROM memberships m JOIN up ON m.member_id = up.group_id
    ) SELECT group_id FROM up ORDER BY group_id`);

  return {
    add(groupId: string, memberId: string): void {
      add.run(groupId, memberId);
    },
    remove(groupId: string, memberId: string): boolean {
      return Number(remove.run(groupId, memberId).changes) > 0;
    },
    /** A deleted object leaves every group it was in, and a deleted group loses its members. */
    removeObject(objectId: string): void {
      removeObject.run(objectId, objectId);
    },
    directGroupIds(memberId: string): string[] {
      return (direct.all(memberId) as Array<{ group_id: string }>).map((r) => r.group_id);
    },
    transitiveGroupIds(memberId: string): string[] {
      return (transitive.all(memberId) as Array<{ group_id: string }>).map((r) => r.group_id);
    },
    memberIds(groupId: string): string[] {
      return (members.all(groupId) as Array<{ member_id: string }>).map((r) => r.member_id);
    },
  };
}
