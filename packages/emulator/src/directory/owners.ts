import type { DatabaseSync } from 'node:sqlite';

/** Owners of applications, service principals and groups. */
export function createOwnerTable(db: DatabaseSync) {
  const add = db.prepare('INSERT OR IGNORE INTO owners (object_id, owner_id) VALUES (?, ?)');
  const remove = db.prepare('DELETE FROM owners WHERE object_id = ? AND owner_id = ?');
  const removeAll = db.prepare('DELETE FROM owners WHERE object_id = ?');
  const removeOwner = db.prepare('DELETE FROM owners WHERE owner_id = ?');
  const list = db.prepare('SELECT owner_id FROM owners WHERE object_id = ? ORDER BY rowid');
  return {
    /** False when the owner was already there. */
    add(objectId: string, ownerId: string): boolean {
      return Number(add.run(objectId, ownerId).changes) > 0;
    },
    remove(objectId: string, ownerId: string): boolean {
      return Number(remove.run(objectId, ownerId).changes) > 0;
    },
    removeAll(objectId: string): void {
      removeAll.run(objectId);
    },
    /** A deleted user owns nothing any more. */
    removeOwnerEverywhere(ownerId: string): void {
      removeOwner.run(ownerId);
    },
    ownerIds(objectId: string): string[] {
      return (list.all(objectId) as Array<{ owner_id: string }>).map((r) => r.owner_id);
    },
  };
}
