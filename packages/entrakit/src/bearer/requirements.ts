import { EntrakitError } from '../core/errors.ts';
import type { EntrakitErrorCode } from '../core/codes.ts';
import type { Principal } from '../core/tokens/principal.ts';
import { requireAuthContext } from './auth-context.ts';
import type { RequiredClaim, RouteRequirement } from './bearer-policy.ts';

function forbidden(code: EntrakitErrorCode, message: string, scope?: readonly string[]): EntrakitError {
  return new EntrakitError(code, message, scope && scope.length > 0 ? { challenge: { scope } } : {});
}

/** Policy-wide claim rules: 'all' needs every listed value in the claim, 'any' at least one. */
export function checkRequiredClaims(claims: Readonly<Record<string, unknown>>, rules: readonly RequiredClaim[]): void {
  for (const rule of rules) {
    const raw = claims[rule.name];
    const listed = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
    const present = rule.separator === undefined ? listed.map(String) : listed.flatMap((v) => String(v).split(rule.separator!)).filter((v) => v !== '');
    const ok = rule.match === 'all' ? rule.values.every((v) => present.includes(v)) : rule.values.some((v) => present.includes(v));
    if (!ok) {
      throw forbidden('BEARER_CLAIM_REQUIRED', `The token's "${rule.name}" claim does not meet this API's policy`);
    }
  }
}

/**
 * Per-route rule: the principal kind must be allowed, and when scopes and/or roles are listed,
 * holding any one listed scope OR any one listed role is enough. An authentication context is
 * checked last: a token without the permission gets 403 (stepping up would not help), one with
 * the permission but without the context gets Entra's claims challenge.
 */
export function checkRouteRequirement(principal: Principal, requirement: RouteRequirement, options: { authorizationUri?: string } = {}): void {
  const kind = requirement.principal ?? 'any';
  if (kind !== 'any' && principal.kind !== kind) {
    throw forbidden(
      'BEARER_PRINCIPAL_NOT_ALLOWED',
      kind === 'user' ? 'This resource requires a signed-in user; app-only tokens are not accepted' : 'This resource requires an app-only token',
    );
  }
  const scopes = requirement.scopes ?? [];
  const roles = requirement.roles ?? [];
  if (scopes.length > 0 || roles.length > 0) {
    const hasScope = scopes.some((scope) => principal.scopes.includes(scope));
    const hasRole = roles.some((role) => principal.roles.includes(role));
    if (!hasScope && !hasRole) {
      const wanted = [...scopes.map((s) => `scope ${s}`), ...roles.map((r) => `role ${r}`)].join(', ');
      throw forbidden('BEARER_INSUFFICIENT_SCOPE', `The token lacks a required permission (any of: ${wanted})`, scopes);
    }
  }
  if (requirement.authContext !== undefined) requireAuthContext(principal, requirement.authContext, options);
}
