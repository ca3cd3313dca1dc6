/**
 * A user's groups: from the ID token's `groups` claim, or, when the token carries an overage
 * (`_claim_names.groups` / `hasgroups`: too many groups to list), from Graph's getMemberGroups with
 * the user's own token; resolved once per session and kept in it.
 */
import { EntrakitError } from '../core/errors.ts';
import type { JsonObject } from '../store/json.ts';

export function groupsFromClaims(claims: JsonObject): string[] | 'overage' {
  const names = claims['_claim_names'];
  if (claims['hasgroups'] === true || (typeof names === 'object' && names !== null && !Array.isArray(names) && 'groups' in names)) return 'overage';
  const groups = claims['groups'];
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
}

export function rolesFromClaims(claims: JsonObject): string[] {
  const roles = claims['roles'];
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

export async function groupsFromGraph(call: (url: string, init: RequestInit) => Promise<Response>, graphBase: string): Promise<string[]> {
  const response = await call(`${graphBase}/me/getMemberGroups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ securityEnabledOnly: false }),
  });
  const body = (await response.json().catch(() => undefined)) as { value?: unknown } | undefined;
  if (!response.ok || !Array.isArray(body?.value)) {
    throw new EntrakitError('GROUPS_OVERAGE_FAILED', `Graph answered HTTP ${response.status} to getMemberGroups`);
  }
  return body.value.filter((id): id is string => typeof id === 'string');
}
