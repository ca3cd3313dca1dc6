import { EntrakitError } from '../core/errors.ts';
import type { Principal } from '../core/tokens/principal.ts';
import type { RequiredClaim, RouteRequirement } from './bearer-policy.ts';
import type { BearerChallenge } from './www-authenticate.ts';

function forbidden(code: string, message: string, scope?: readonly string[]): EntrakitError {
  const challenge: BearerChallenge = { error: 'insufficient_scope', errorDescription: message };
  if (scope && scope.length > 0) challenge.scope = scope;
  return new EntrakitError(code, message, { status: 403, details: { challenge } });
}

/** Policy-wide claim rules: 'all' needs every listed value in the claim, 'any' at least one. */
export function checkRequiredClaims(claims: Readonly<Record<string, unknown>>, rules: readonly RequiredClaim[]): void {
  for (const rule of rules) {
    const raw = claims[rule.name];
    const present = (Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw]).map(String);
    const ok = rule.match === 'all' ? rule.values.every((v) => present.includes(v)) : rule.values.some((v) => present.includes(v));
    if (!ok) {
      throw forbidden('BEARER_CLAIM_REQUIRED', `The token's "${rule.name}" claim does not meet this API's policy`);
    }
  }
}

/**
 * Per-route rule: the principal kind must be allowed, and when scopes and/or roles are listed,
 * holding any one listed scope OR any one listed role is enough.
 */
export function checkRouteRequirement(principal: Principal, requirement: RouteRequirement): void {
  const kind = requirement.principal ?? 'any';
  if (kind !== 'any' && principal.kind !== kind) {
    throw forbidden(
      'BEARER_PRINCIPAL_NOT_ALLOWED',
      kind === 'user' ? 'This resource requires a signed-in user; app-only tokens are not accepted' : 'This resource requires an app-only token',
    );
  }
  const scopes = requirement.scopes ?? [];
  const roles = requirement.roles ?? [];
  if (scopes.length === 0 && roles.length === 0) return;
  const hasScope = scopes.some((scope) => principal.scopes.includes(scope));
  const hasRole = roles.some((role) => principal.roles.includes(role));
  if (hasScope || hasRole) return;
  const wanted = [...scopes.map((s) => `scope ${s}`), ...roles.map((r) => `role ${r}`)].join(', ');
  throw forbidden('BEARER_INSUFFICIENT_SCOPE', `The token lacks a required permission (any of: ${wanted})`, scopes);
}
