import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tenants (
  id TEXT PRIMARY KEY,
  domain TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL
);
-- Graph objects as JSON; 'lookup' is the natural key (UPN for users, appId for apps and SPs).
CREATE TABLE IF NOT EXISTS directory_objects (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  type TEXT NOT NULL,
  lookup TEXT COLLATE NOCASE,
  json TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS directory_objects_lookup ON directory_objects (tenant_id, type, lookup);
CREATE TABLE IF NOT EXISTS memberships (
  group_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  PRIMARY KEY (group_id, member_id)
);
CREATE INDEX IF NOT EXISTS memberships_member ON memberships (member_id);
-- Verifiers are kept apart from the Graph JSON so no endpoint can ever serialise them.
CREATE TABLE IF NOT EXISTS credentials (
  object_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  verifier TEXT NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (object_id, key_id)
);
CREATE TABLE IF NOT EXISTS consents (
  tenant_id TEXT NOT NULL,
  client_app_id TEXT NOT NULL,
  resource_app_id TEXT NOT NULL,
  principal_id TEXT NOT NULL,
  scopes TEXT NOT NULL,
  PRIMARY KEY (tenant_id, client_app_id, resource_app_id, principal_id)
);
CREATE TABLE IF NOT EXISTS app_role_assignments (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  principal_id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  app_role_id TEXT NOT NULL,
  UNIQUE (principal_id, resource_id, app_role_id)
);
CREATE TABLE IF NOT EXISTS signing_keys (
  kid TEXT PRIMARY KEY,
  private_jwk TEXT NOT NULL,
  cert_der TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER
);
-- Directory (admin) roles by role template id, e.g. Global Administrator; they become the 'wids' claim.
CREATE TABLE IF NOT EXISTS directory_role_members (
  principal_id TEXT NOT NULL,
  role_template_id TEXT NOT NULL,
  PRIMARY KEY (principal_id, role_template_id)
);
-- Owners of applications and service principals (Graph's owners relationship).
CREATE TABLE IF NOT EXISTS owners (
  object_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  PRIMARY KEY (object_id, owner_id)
);
-- revokeSignInSessions: tokens and sessions issued before this time (ms) no longer count.
CREATE TABLE IF NOT EXISTS sign_in_revocations (
  user_id TEXT PRIMARY KEY,
  revoked_at INTEGER NOT NULL
);
-- Second factors: a user's TOTP secret (the authenticator app's shared key; needed in clear to verify codes).
-- \`required\` = 1: asked at every interactive sign-in (per-user MFA), else only when a policy asks.
CREATE TABLE IF NOT EXISTS mfa_methods (
  user_id TEXT PRIMARY KEY,
  totp_secret TEXT NOT NULL,
  required INTEGER NOT NULL DEFAULT 0
);
-- What a user's second factor has seen: the last TOTP time step accepted (RFC 6238 §5.2: a code
-- works once) and the wrong codes counted towards the per-user lockout, until failures_reset_at (ms).
CREATE TABLE IF NOT EXISTS mfa_usage (
  user_id TEXT PRIMARY KEY,
  last_step INTEGER,
  failures INTEGER NOT NULL DEFAULT 0,
  failures_reset_at INTEGER
);
-- Conditional Access authentication contexts (c1..c99) of a tenant and what satisfies them.
CREATE TABLE IF NOT EXISTS authentication_contexts (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  require_mfa INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
-- Plain-text secrets of the seeded demo tenant only, so dev.json can show them on every start.
-- Token lifetimes from the tenant file, per tenant (its id) or per app (its appId).
CREATE TABLE IF NOT EXISTS token_lifetimes (
  owner_id TEXT PRIMARY KEY,
  json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS demo_credentials (
  name TEXT PRIMARY KEY,
  secret TEXT NOT NULL
);
`;

/** Opens (creating when needed) the emulator's directory database. */
export function openDirectoryDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;');
  db.exec(SCHEMA);
  return db;
}
