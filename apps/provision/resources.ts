/**
 * Resolves a permission's resource ("Microsoft Graph", an appId, or an app of the manifest) and
 * its permission names to ids, from the resource's service principal (`oauth2PermissionScopes`
 * for delegated scopes, `appRoles` for application permissions), as the portal does.
 */
import { provisionError } from './errors.ts';
import { eqFilter } from './graph-client.ts';
import type { GraphClient, GraphObject } from './graph-client.ts';
import { list, str } from './json-read.ts';

export interface Resource {
  displayName: string;
  /** Undefined while a manifest app is only planned (dry run). */
  appId: string | undefined;
  spId: string | undefined;
  scopes: Array<{ id: string | undefined; value: string }>;
  roles: Array<{ id: string | undefined; value: string; allowedMemberTypes: string[] }>;
}

const WELL_KNOWN: Record<string, string> = {
  'microsoft graph': '00000003-0000-0000-c000-000000000000',
  'https://graph.microsoft.com': '00000003-0000-0000-c000-000000000000',
  'https://graph.microsoft.com/': '00000003-0000-0000-c000-000000000000',
  'azure storage': 'e406a681-f3d4-42a8-90b6-c2b029497af1',
  'https://storage.azure.com': 'e406a681-f3d4-42a8-90b6-c2b029497af1',
  'https://storage.azure.com/': 'e406a681-f3d4-42a8-90b6-c2b029497af1',
};
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;


export function fromServicePrincipal(sp: GraphObject): Resource {
  return {
    displayName: str(sp['displayName']),
    appId: str(sp['appId']),
    spId: str(sp['id']),
    scopes: list(sp['oauth2PermissionScopes']).map((s) => ({ id: str(s['id']), value: str(s['value']) })),
    roles: list(sp['appRoles']).map((r) => ({ id: str(r['id']), value: str(r['value']), allowedMemberTypes: list(r['allowedMemberTypes']) as unknown as string[] })),
  };
}

export class ResourceResolver {
  readonly #graph: GraphClient;
  readonly #byAppId = new Map<string, Resource>();
  /** Manifest apps, by lower-case name, as they are planned or applied. */
  readonly #manifestApps = new Map<string, Resource>();

  constructor(graph: GraphClient) {
    this.#graph = graph;
  }

  /** Records a manifest app's permissions (the ids it has, or will have once created). */
  remember(name: string, resource: Resource): void {
    this.#manifestApps.set(name.toLowerCase(), resource);
    if (resource.appId) this.#byAppId.set(resource.appId.toLowerCase(), resource);
  }

  async resolve(reference: string): Promise<Resource> {
    const own = this.#manifestApps.get(reference.toLowerCase());
    if (own) return own;
    const appId = WELL_KNOWN[reference.toLowerCase()] ?? (GUID.test(reference) ? reference : undefined);
    if (!appId) throw provisionError('PROVISION_RESOURCE_NOT_FOUND', `resource "${reference}" is neither an appId, "Microsoft Graph", "Azure Storage", nor an app earlier in the manifest`);
    return this.byAppId(appId);
  }

  /** The resource with this appId; throws PROVISION_RESOURCE_NOT_FOUND when the tenant has no service principal for it. */
  async byAppId(appId: string): Promise<Resource> {
    const cached = this.#byAppId.get(appId.toLowerCase());
    if (cached) return cached;
    const [sp] = await this.#graph.list(`/servicePrincipals?${eqFilter('appId', appId)}`);
    if (!sp) throw provisionError('PROVISION_RESOURCE_NOT_FOUND', `the tenant has no service principal for appId ${appId} (the resource must be registered in the tenant first)`);
    const resource = fromServicePrincipal(sp);
    this.#byAppId.set(appId.toLowerCase(), resource);
    return resource;
  }

  /** Like byAppId, but undefined instead of an error (reading an app's current state). */
  async find(appId: string): Promise<Resource | undefined> {
    try {
      return await this.byAppId(appId);
    } catch {
      return undefined;
    }
  }
}

/** A permission's id by name; PROVISION_PERMISSION_NOT_FOUND names what the resource does offer. */
export function permissionId(resource: Resource, name: string, kind: 'Scope' | 'Role'): string | undefined {
  const found = kind === 'Scope' ? resource.scopes.find((s) => s.value === name) : resource.roles.find((r) => r.value === name && r.allowedMemberTypes.includes('Application'));
  if (!found) {
    const offered = kind === 'Scope' ? resource.scopes.map((s) => s.value) : resource.roles.filter((r) => r.allowedMemberTypes.includes('Application')).map((r) => r.value);
    throw provisionError(
      'PROVISION_PERMISSION_NOT_FOUND',
      `${resource.displayName} has no ${kind === 'Scope' ? 'delegated permission (scope)' : 'application permission (app role)'} "${name}"${offered.length > 0 ? `; it offers ${offered.slice(0, 20).join(', ')}` : ''}`,
    );
  }
  return found.id;
}
