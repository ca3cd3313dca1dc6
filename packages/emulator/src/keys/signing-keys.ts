import { createHash, webcrypto } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { exportJWK, importJWK, type JWK } from 'jose';
import { createSigningCertificate } from '../tls/certificates.ts';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface PublishedKey {
  kty: 'RSA';
  use: 'sig';
  kid: string;
  x5t: string;
  n: string;
  e: string;
  x5c: string[];
}

interface KeyRow {
  kid: string;
  private_jwk: string;
  cert_der: string;
  created_at: number;
  retired_at: number | null;
  activates_at: number | null;
}

export interface Rotation {
  /** The next key: in the JWKS from now on, signing from `activatesAt`. */
  kid: string;
  activatesAt: number;
  /** The key that signs until then. */
  signingKid: string;
}

/** Signing keys by tenant: token minting names the token's tenant, the JWKS of /common lists every key. */
export interface KeyRing {
  ensure(): Promise<void>;
  activeKey(tenantId?: string): Promise<SigningKey>;
  jwks(tenantId?: string): { keys: PublishedKey[] };
  rotate(tenantId?: string): Promise<Rotation>;
}

/** Keys of tenants created before keys were per tenant carry the shared id ''. */
function addTenantColumn(db: DatabaseSync): void {
  const columns = db.prepare('PRAGMA table_info(signing_keys)').all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'tenant_id')) db.exec("ALTER TABLE signing_keys ADD COLUMN tenant_id TEXT NOT NULL DEFAULT ''");
}

/** Keys made before lead times existed have no activation time: they signed from creation. */
function ensureActivationColumn(db: DatabaseSync): void {
  const columns = db.prepare('PRAGMA table_info(signing_keys)').all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'activates_at')) db.exec('ALTER TABLE signing_keys ADD COLUMN activates_at INTEGER');
}

/**
 * Token-signing keys persisted in the directory database, so `kid` survives restarts. Rotation
 * publishes the next key first and signs with it only after `leadTimeMs`, so clients that cache
 * the JWKS have seen it before any token carries it; the previous key signs until then and stays
 * published until every token it signed has expired (`retentionMs` after the switch). `tenantId`
 * picks one tenant's keys ('' = the shared keys of tenants without their own).
 */
export function createKeyRing(db: DatabaseSync, options: { clock?: () => number; retentionMs?: number; leadTimeMs?: number; tenantId?: string } = {}) {
  const clock = options.clock ?? Date.now;
  const retentionMs = options.retentionMs ?? 2 * 3600_000;
  const leadTimeMs = options.leadTimeMs ?? 0;
  const tenantId = options.tenantId ?? '';
  ensureActivationColumn(db);
  addTenantColumn(db);
  const listStmt = db.prepare(
    'SELECT kid, private_jwk, cert_der, created_at, retired_at, activates_at FROM signing_keys WHERE tenant_id = ? ORDER BY COALESCE(activates_at, created_at), created_at',
  );
  const insertStmt = db.prepare('INSERT INTO signing_keys (kid, private_jwk, cert_der, created_at, retired_at, activates_at, tenant_id) VALUES (?, ?, ?, ?, NULL, ?, ?)');
  // The keys signing now stop at the successor's activation (a time that may lie ahead).
  const retireStmt = db.prepare('UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL AND kid != ? AND tenant_id = ?');
  const dataVersion = db.prepare('PRAGMA data_version');

  let loadedVersion = -1;
  let loadedAt = 0;
  let versionCheckedAt = -Infinity;
  /** When the loaded state stops being true by itself: the next activation or retirement. */
  let changesAt = Infinity;
  let active: Promise<SigningKey> | undefined;
  let activeKid: string | undefined;
  let published: PublishedKey[] = [];

  async function generate(activatesAt: number): Promise<string> {
    const keys = (await webcrypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const der = await createSigningCertificate(keys, new Date(clock()));
    const kid = createHash('sha1').update(der).digest('base64url');
    const jwk = await exportJWK(keys.privateKey);
    insertStmt.run(kid, JSON.stringify(jwk), Buffer.from(der).toString('base64'), clock(), activatesAt, tenantId);
    retireStmt.run(activatesAt, kid, tenantId);
    return kid;
  }

  /**
   * Re-reads keys when another connection (the rotate-keys CLI) changed the database, when forced,
   * when a pending key's activation or a retirement is due, or once a minute.
   */
  function refresh(force = false, throttled = false): void {
    const now = clock();
    const due = now >= changesAt;
    // Signing checks for a rotation by another process at most every 250 ms (it runs per token);
    // the JWKS always checks, so a published key is visible at once.
    if (throttled && !force && !due && active && performance.now() - versionCheckedAt < 250 && now - loadedAt < 60_000) return;
    versionCheckedAt = performance.now();
    const version = Number((dataVersion.get() as Record<string, number>)['data_version']);
    if (!force && !due && active && version === loadedVersion && now - loadedAt < 60_000) return;
    loadedVersion = version;
    loadedAt = now;
    const rows = listStmt.all(tenantId) as unknown as KeyRow[];
    const activation = (r: KeyRow) => r.activates_at ?? r.created_at;
    const live = rows.filter((r) => r.retired_at === null || r.retired_at + retentionMs > now);
    const current = rows.filter((r) => activation(r) <= now).at(-1);
    changesAt = Math.min(
      Infinity,
      ...rows.map(activation).filter((t) => t > now),
      ...rows.map((r) => (r.retired_at === null ? Infinity : r.retired_at + retentionMs)).filter((t) => t > now),
    );
    published = live.map((r) => {
      const jwk = JSON.parse(r.private_jwk) as JWK;
      return { kty: 'RSA', use: 'sig', kid: r.kid, x5t: r.kid, n: jwk.n ?? '', e: jwk.e ?? '', x5c: [r.cert_der] };
    });
    if (current?.kid !== activeKid || !active) {
      activeKid = current?.kid;
      active = current
        ? (importJWK({ ...(JSON.parse(current.private_jwk) as JWK), alg: 'RS256' }, 'RS256') as Promise<CryptoKey>).then((privateKey) => ({
            kid: current.kid,
            privateKey,
          }))
        : undefined;
    }
  }

  return {
    /** Creates the first key (active at once) when the database has none. */
    async ensure(): Promise<void> {
      if ((listStmt.all(tenantId) as unknown[]).length === 0) await generate(clock());
      refresh(true);
    },
    async activeKey(): Promise<SigningKey> {
      refresh(false, true);
      if (!active) throw new Error('no signing key: call ensure() first');
      return active;
    },
    jwks(): { keys: PublishedKey[] } {
      refresh();
      return { keys: published };
    },
    /**
     * Publishes a new key now; it signs from `leadTimeMs` later (at once with a lead of 0). The
     * previous key signs until then and stays in the JWKS for `retentionMs` after the switch.
     */
    async rotate(leadMs: number = leadTimeMs): Promise<Rotation> {
      const activatesAt = clock() + leadMs;
      const kid = await generate(activatesAt);
      refresh(true);
      return { kid, activatesAt, signingKid: (await this.activeKey()).kid };
    },
  };
}

/** One tenant's (or the shared) keys. */
export type TenantKeyRing = ReturnType<typeof createKeyRing>;
