import type { EmulatorDeps } from '../deps.ts';
import type { ServicePrincipal, User } from '../directory/types.ts';
import { GUID } from 'entrakit/internal';
import { appAccessTokenClaims, signAccessToken, userAccessTokenClaims, type TokenClient } from '../tokens/access-token.ts';
import { idTokenClaims } from '../tokens/id-token.ts';
import { applicationRoles } from '../tokens/directory-claims.ts';
import { signToken } from '../tokens/sign.ts';

type MintDeps = Pick<EmulatorDeps, 'directory' | 'keys' | 'publicUrl' | 'clock'>;

/** `POST /_admin/tokens` (and `emulator.admin.mintToken`): what a test asks for. */
export interface MintTokenRequest {
  kind: 'access' | 'id';
  /** Default: the first tenant. */
  tenantId?: string;
  clientId: string;
  /** Access tokens: the resource's identifier URI or appId, e.g. https://graph.microsoft.com. */
  resource?: string;
  /** A userPrincipalName; absent means an app-only access token. */
  user?: string;
  /** Delegated permissions (`scp`); default: what the user consented to for the client. */
  scopes?: string[];
  /** App roles (`roles`) of an app-only token; default: what is assigned to the client. */
  roles?: string[];
  /** Claims set last, over the ones a real sign-in gives (`null` removes one). */
  claims?: Record<string, unknown>;
  /** Seconds until `exp`; default: the tenant file's lifetime, else Entra's. */
  lifetimeSeconds?: number;
}

/** Why a mint request was refused: the 400's description, naming what was missing or wrong. */
export class MintRefusal extends Error {}

const KEYS = new Set(['kind', 'tenantId', 'clientId', 'resource', 'user', 'scopes', 'roles', 'claims', 'lifetimeSeconds']);
const MAX_LIFETIME_S = 10 * 365 * 86_400;

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 256) || value.length > 200) {
    throw new MintRefusal(`"${name}" must be an array of names`);
  }
  return value as string[];
}

/** Checks the JSON body's shape (not yet against the directory). */
export function parseMintRequest(body: Record<string, unknown>): MintTokenRequest {
  for (const key of Object.keys(body)) if (!KEYS.has(key)) throw new MintRefusal(`unknown field "${key.slice(0, 60)}"`);
  const { kind, tenantId, clientId, resource, user, claims, lifetimeSeconds } = body;
  if (kind !== 'access' && kind !== 'id') throw new MintRefusal('"kind" must be "access" or "id"');
  if (typeof clientId !== 'string' || !clientId) throw new MintRefusal('"clientId" is required');
  for (const [name, value] of Object.entries({ tenantId, resource, user })) {
    if (value !== undefined && (typeof value !== 'string' || !value || value.length > 512)) throw new MintRefusal(`"${name}" must be a string`);
  }
  if (claims !== undefined && (claims === null || typeof claims !== 'object' || Array.isArray(claims))) throw new MintRefusal('"claims" must be an object');
  if (lifetimeSeconds !== undefined && (typeof lifetimeSeconds !== 'number' || !Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 1 || lifetimeSeconds > MAX_LIFETIME_S)) {
    throw new MintRefusal(`"lifetimeSeconds" must be a whole number from 1 to ${MAX_LIFETIME_S}`);
  }
  const scopes = stringList(body['scopes'], 'scopes');
  const roles = stringList(body['roles'], 'roles');
  if (kind === 'access' && typeof resource !== 'string') throw new MintRefusal('"resource" is required for an access token');
  if (kind === 'id' && user === undefined) throw new MintRefusal('an ID token needs a "user"');
  if (kind === 'id' && (resource !== undefined || scopes || roles)) throw new MintRefusal('an ID token takes no "resource", "scopes" or "roles"');
  if (user === undefined && scopes) throw new MintRefusal('"scopes" need a "user" (app-only tokens carry "roles")');
  return {
    kind,
    clientId,
    ...(typeof tenantId === 'string' ? { tenantId } : {}),
    ...(typeof resource === 'string' ? { resource } : {}),
    ...(typeof user === 'string' ? { user } : {}),
    ...(scopes ? { scopes } : {}),
    ...(roles ? { roles } : {}),
    ...(claims ? { claims: claims as Record<string, unknown> } : {}),
    ...(typeof lifetimeSeconds === 'number' ? { lifetimeSeconds } : {}),
  };
}

function requireExposed(resource: ServicePrincipal, names: readonly string[], kind: 'scopes' | 'roles'): void {
  const known = kind === 'scopes' ? resource.oauth2PermissionScopes.map((s) => s.value) : resource.appRoles.filter((r) => r.allowedMemberTypes.includes('Application')).map((r) => r.value);
  for (const name of names) {
    if (!known.includes(name)) throw new MintRefusal(`${resource.displayName} (${resource.appId}) exposes no ${kind === 'scopes' ? 'delegated permission' : 'application permission'} "${name.slice(0, 120)}"`);
  }
}

/**
 * Mints a token signed with the tenant's key, starting from the claims the real grants would put
 * in it (tokens/), then applying the overrides. Whatever the tenant lacks (client, user, resource,
 * permission) is a MintRefusal naming it.
 */
export async function mintTestToken(deps: MintDeps, request: MintTokenRequest): Promise<string> {
  const { directory } = deps;
  const tenant = request.tenantId === undefined ? directory.defaultTenant() : directory.findTenant(request.tenantId);
  if (!tenant) throw new MintRefusal(`no tenant "${(request.tenantId ?? '').slice(0, 120)}" in the emulator`);
  const found = GUID.test(request.clientId) ? directory.findApplicationByClientId(request.clientId) : undefined;
  const clientSp = directory.findServicePrincipalByAppId(tenant.id, request.clientId.toLowerCase());
  if (!found || !clientSp) throw new MintRefusal(`no application with clientId "${request.clientId.slice(0, 120)}" in tenant ${tenant.domain}`);
  let user: User | undefined;
  if (request.user !== undefined) {
    user = directory.findUserByUsername(tenant.id, request.user) ?? directory.objects.list('user', tenant.id).find((u) => u.userPrincipalName.toLowerCase() === request.user!.toLowerCase());
    if (!user) throw new MintRefusal(`no user "${request.user.slice(0, 120)}" in tenant ${tenant.domain}`);
  }
  const client: TokenClient = { app: found.app, acr: '1', servicePrincipalId: clientSp.id };
  const now = Math.floor(deps.clock() / 1000);
  let claims: Record<string, unknown>;
  let resource: ServicePrincipal | undefined;

  if (request.kind === 'id') {
    claims = idTokenClaims(deps, { tenantId: tenant.id, user: user!, client: found.app, profile: true, email: true, amr: ['pwd'] });
  } else {
    resource = directory.findResource(tenant.id, request.resource!);
    if (!resource) throw new MintRefusal(`no resource "${request.resource!.slice(0, 200)}" in tenant ${tenant.domain}`);
    // v1 resources get the identifier as asked (Entra's `aud`); v2 always their appId.
    const audience = resource.accessTokenVersion === 2 || GUID.test(request.resource!) ? resource.appId : request.resource!.replace(/\/+$/, '');
    if (user) {
      const scopes = request.scopes ?? [...directory.consents.grantedScopes(tenant.id, found.app.appId, resource.appId, user.id)].sort();
      if (request.scopes) requireExposed(resource, request.scopes, 'scopes');
      claims = userAccessTokenClaims(deps, { tenantId: tenant.id, user, client, resource, audience, scopes, amr: ['pwd'] });
      if (request.roles) claims['roles'] = request.roles;
    } else {
      if (request.roles) requireExposed(resource, request.roles, 'roles');
      claims = appAccessTokenClaims(deps, { tenantId: tenant.id, client, resource, audience });
      const roles = request.roles ?? applicationRoles(directory, resource, clientSp.id);
      if (roles.length > 0) claims['roles'] = roles;
      else delete claims['roles'];
    }
  }
  if (request.lifetimeSeconds !== undefined) claims['exp'] = now + request.lifetimeSeconds;
  for (const [name, value] of Object.entries(request.claims ?? {})) {
    if (value === null) delete claims[name];
    else claims[name] = value;
  }
  return resource ? signAccessToken(deps, resource, claims) : signToken(deps.keys, claims);
}
