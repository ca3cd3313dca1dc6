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
  // Both statements read and write in one step, so parallel requests (or processes sharing the
  // file) can neither pass the lockout together nor spend one code twice.
  const reserveAttempt = db.prepare(`
    INSERT INTO mfa_usage (user_id, failures, failures_reset_at) VALUES (:user, 1, :resetAt)
    ON CONFLICT (user_id) DO UPDATE SET
      failures = CASE WHEN failures_reset_at IS NULL OR failures_reset_at <= :now THEN 1 ELSE failures + 1 END,
      failures_reset_at = :resetAt
    WHERE failures_reset_at IS NULL OR failures_reset_at <= :now OR failures < :limit
    RETURNING failures`);
  const acceptStep = db.prepare(`
    UPDATE mfa_usage SET last_step = :step, failures = MAX(failures - 1, 0)
    WHERE user_id = :user AND (last_step IS NULL OR last_step < :step)`);
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
    /**
     * Counts one code check against the user's lockout before the code is looked at: false (and
     * nothing counted) when `limit` checks were already counted in the window. A right code gives
     * its count back through acceptTotpStep.
     */
    reserveMfaAttempt(userId: string, now: number, limit: number, windowMs: number): boolean {
      return reserveAttempt.get({ user: userId, now, limit, resetAt: now + windowMs }) !== undefined;
    },
    /**
     * Spends a right code's time step: true only when it is later than the last step accepted for
     * the user, so a code (or an older one) never works twice. Gives back the reserved attempt.
     */
    acceptTotpStep(userId: string, step: number): boolean {
      return Number(acceptStep.run({ user: userId, step }).changes) === 1;
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
