import type { DatabaseSync } from 'node:sqlite';
import { createKeyRing, type KeyRing, type PublishedKey, type TenantKeyRing } from './signing-keys.ts';

/**
 * Per-tenant signing keys: tenants given to ensure() (and any with keys in the database) sign with
 * their own key and publish only it in their JWKS; other tenants (the demo tenant) share one
 * ring. The JWKS of /common, /organizations and key-only checks (id_token_hint, Graph) lists all.
 */
export function createTenantKeyRings(db: DatabaseSync, options: { clock?: () => number; retentionMs?: number; leadTimeMs?: number } = {}): KeyRing & { ensureTenants(tenantIds: string[]): Promise<void>; tenants(): string[] } {
  const shared = createKeyRing(db, options);
  const rings = new Map<string, TenantKeyRing>();
  const ringFor = (tenantId: string | undefined) => (tenantId === undefined ? shared : (rings.get(tenantId.toLowerCase()) ?? shared));
  const stored = () => (db.prepare("SELECT DISTINCT tenant_id FROM signing_keys WHERE tenant_id != ''").all() as Array<{ tenant_id: string }>).map((r) => r.tenant_id);

  return {
    async ensure() {
      await shared.ensure();
      await this.ensureTenants(stored());
    },
    /** Gives each tenant its own key (created once, kept in the database). */
    async ensureTenants(tenantIds) {
      for (const id of tenantIds.map((t) => t.toLowerCase())) {
        if (rings.has(id)) continue;
        const ring = createKeyRing(db, { ...options, tenantId: id });
        await ring.ensure();
        rings.set(id, ring);
      }
    },
    tenants: () => [...rings.keys()],
    activeKey: (tenantId) => ringFor(tenantId).activeKey(),
    jwks(tenantId) {
      if (tenantId !== undefined) return ringFor(tenantId).jwks();
      const keys: PublishedKey[] = [...shared.jwks().keys];
      for (const ring of rings.values()) keys.push(...ring.jwks().keys);
      return { keys };
    },
    /** Rotates one tenant's keys, or (no tenant) every ring; returns the shared ring's rotation then. */
    async rotate(tenantId) {
      if (tenantId !== undefined) return ringFor(tenantId).rotate();
      for (const ring of rings.values()) await ring.rotate();
      return shared.rotate();
    },
  };
}
