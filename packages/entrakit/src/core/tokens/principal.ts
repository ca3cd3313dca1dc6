/** Who is calling an API, derived from a validated Entra access token (v1 or v2). */
export interface Principal {
  /**
   * 'app' when the token is app-only (client credentials): it has no `scp` AND either
   * `idtyp` is "app" or `oid` equals `sub` (Entra sets both to the service principal's id).
   * Everything else is 'user' (delegated).
   */
  kind: 'user' | 'app';
  tenantId: string;
  /** `oid`: stable across apps; key users on tenantId + objectId. */
  objectId: string;
  name?: string;
  /** v2 `preferred_username`, v1 `upn` or `unique_name`. */
  username?: string;
  /** Delegated permissions from the space-separated `scp`. */
  scopes: readonly string[];
  /** App roles assigned to the user or the calling app. */
  roles: readonly string[];
  /** Authentication context ids the user satisfied (`acrs`, Conditional Access step-up). */
  authContexts: readonly string[];
  /** The calling application: `azp` in v2 tokens, `appid` in v1 tokens. */
  clientId: string;
  tokenVersion: '1.0' | '2.0';
}

export function principalFromClaims(
  claims: Record<string, unknown>,
  fields: { tenantId: string; objectId: string; clientId: string; tokenVersion: '1.0' | '2.0' },
): Principal {
  const scp = claims['scp'];
  const scopes = typeof scp === 'string' ? scp.split(' ').filter((scope) => scope !== '') : [];
  const roles = Array.isArray(claims['roles']) ? claims['roles'].filter((role): role is string => typeof role === 'string') : [];
  const authContexts = Array.isArray(claims['acrs']) ? claims['acrs'].filter((id): id is string => typeof id === 'string') : [];
  const isAppOnly = scp === undefined && (claims['idtyp'] === 'app' || claims['oid'] === claims['sub']);
  const name = stringClaim(claims, 'name');
  const username =
    fields.tokenVersion === '2.0'
      ? stringClaim(claims, 'preferred_username')
      : (stringClaim(claims, 'upn') ?? stringClaim(claims, 'unique_name'));
  const principal: Principal = {
    kind: isAppOnly ? 'app' : 'user',
    tenantId: fields.tenantId,
    objectId: fields.objectId,
    scopes: Object.freeze(scopes),
    roles: Object.freeze(roles),
    authContexts: Object.freeze(authContexts),
    clientId: fields.clientId,
    tokenVersion: fields.tokenVersion,
  };
  if (name !== undefined) principal.name = name;
  if (username !== undefined) principal.username = username;
  // Principals are cached and shared between requests, so nobody may change one.
  return Object.freeze(principal);
}

function stringClaim(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
