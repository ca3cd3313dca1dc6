import type { DatabaseSync } from 'node:sqlite';
import { AUTH_CONTEXT_ID } from 'entrakit/internal';

/** A user's second factor: an authenticator app (TOTP); `required` asks for it at every sign-in. */
export interface MfaMethod {
  totpSecret: string;
  required: boolean;
}

/** A Conditional Access authentication context (`acrs` value c1..c99) and what it demands. */
export interface AuthenticationContext {
  id: string;
  displayName: string;
  requireMfa: boolean;
}


/** Second factors of users and authentication contexts of tenants (the step-up policy). */
export function createStepUpTables(db: DatabaseSync) {
  const putMethod = db.prepare('INSERT OR REPLACE INTO mfa_methods (user_id, totp_secret, required) VALUES (?, ?, ?)');
  const getMethod = db.prepare('SELECT totp_secret, required FROM mfa_methods WHERE user_id = ?');
  const putContext = db.prepare('INSERT OR REPLACE INTO authentication_contexts (tenant_id, id, display_name, require_mfa) VALUES (?, ?, ?, ?)');
  const getContext = db.prepare('SELECT id, display_name, require_mfa FROM authentication_contexts WHERE tenant_id = ? AND id = ?');
  const listContexts = db.prepare('SELECT id, display_name, require_mfa FROM authentication_contexts WHERE tenant_id = ? ORDER BY id');
  const toContext = (row: unknown): AuthenticationContext => {
    const r = row as { id: string; display_name: string; require_mfa: number };
    return { id: r.id, displayName: r.display_name, requireMfa: r.require_mfa === 1 };
  };
  return {
    setMfaMethod(userId: string, method: MfaMethod): void {
      putMethod.run(userId, method.totpSecret, method.required ? 1 : 0);
    },
    mfaMethod(userId: string): MfaMethod | undefined {
      const row = getMethod.get(userId) as { totp_secret: string; required: number } | undefined;
      return row ? { totpSecret: row.totp_secret, required: row.required === 1 } : undefined;
    },
    defineContext(tenantId: string, context: AuthenticationContext): void {
      if (!AUTH_CONTEXT_ID.test(context.id)) throw new TypeError(`authentication context id must be c1..c99, got ${context.id}`);
      putContext.run(tenantId, context.id, context.displayName, context.requireMfa ? 1 : 0);
    },
    context(tenantId: string, id: string): AuthenticationContext | undefined {
      const row = getContext.get(tenantId, id);
      return row ? toContext(row) : undefined;
    },
    contexts(tenantId: string): AuthenticationContext[] {
      return listContexts.all(tenantId).map(toContext);
    },
  };
}

export type StepUpTables = ReturnType<typeof createStepUpTables>;
