import type { Group, ServicePrincipal, User } from '../directory/types.ts';
import type { Access } from './permissions.ts';

/** How one Graph entity type is serialised: its properties, in Graph's order, and the default set. */
export interface EntityShape<T> {
  /** `#microsoft.graph.user` */
  odataType: string;
  /** `microsoft.graph.user`, as Graph names the type in errors. */
  typeName: string;
  /** Entity set in `@odata.context`, e.g. `users`. */
  entitySet: string;
  properties: Record<string, (value: T) => unknown>;
  /** Returned when the request has no `$select` (Graph's default property set). */
  defaults: readonly string[];
  /** Readable with the "basic" permissions (User.ReadBasic.All). */
  basic: ReadonlySet<string>;
  /** `$orderby` works on these by default, and on `advancedSortable` too with the advanced query parameters. */
  sortable?: readonly string[];
  advancedSortable?: readonly string[];
}

/** A shape whose values are no longer needed: enough to resolve property names. */
export type AnyShape = EntityShape<never>;

/** One serialisable object: every property, already reduced to what the caller may see. */
export interface DirectoryItem {
  shape: AnyShape;
  record: Record<string, unknown>;
}

const none = () => null;
const empty = () => [];

export const USER_SHAPE: EntityShape<User> = {
  odataType: '#microsoft.graph.user',
  typeName: 'microsoft.graph.user',
  entitySet: 'users',
  properties: {
    businessPhones: (u) => u.businessPhones ?? [],
    displayName: (u) => u.displayName,
    givenName: (u) => u.givenName,
    jobTitle: (u) => u.jobTitle,
    mail: (u) => u.mail,
    mobilePhone: (u) => u.mobilePhone ?? null,
    officeLocation: (u) => u.officeLocation ?? null,
    preferredLanguage: (u) => u.preferredLanguage ?? null,
    surname: (u) => u.surname,
    userPrincipalName: (u) => u.userPrincipalName,
    id: (u) => u.id,
    accountEnabled: (u) => u.accountEnabled,
    userType: (u) => u.userType,
    companyName: (u) => u.companyName ?? null,
    department: (u) => u.department ?? null,
    employeeId: (u) => u.employeeId ?? null,
    usageLocation: (u) => u.usageLocation ?? null,
    mailNickname: (u) => u.mailNickname ?? null,
    createdDateTime: (u) => u.createdDateTime ?? null,
    otherMails: empty,
    proxyAddresses: empty,
  },
  defaults: ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'],
  basic: new Set(['id', 'displayName', 'givenName', 'surname', 'mail', 'userPrincipalName']),
  sortable: ['displayName', 'userPrincipalName'],
  advancedSortable: ['mail', 'givenName', 'surname', 'id'],
};

export const GROUP_SHAPE: EntityShape<Group> = {
  odataType: '#microsoft.graph.group',
  typeName: 'microsoft.graph.group',
  entitySet: 'groups',
  properties: {
    id: (g) => g.id,
    description: (g) => g.description,
    displayName: (g) => g.displayName,
    groupTypes: (g) => g.groupTypes ?? [],
    mail: none,
    mailEnabled: (g) => g.mailEnabled,
    mailNickname: (g) => g.mailNickname ?? null,
    securityEnabled: (g) => g.securityEnabled,
    visibility: (g) => g.visibility ?? null,
    createdDateTime: (g) => g.createdDateTime ?? null,
  },
  defaults: ['id', 'description', 'displayName', 'groupTypes', 'mail', 'mailEnabled', 'mailNickname', 'securityEnabled'],
  basic: new Set(['id', 'displayName', 'description']),
  sortable: ['displayName'],
  advancedSortable: ['mail', 'id'],
};

export const SERVICE_PRINCIPAL_SHAPE: EntityShape<ServicePrincipal> = {
  odataType: '#microsoft.graph.servicePrincipal',
  typeName: 'microsoft.graph.servicePrincipal',
  entitySet: 'servicePrincipals',
  properties: {
    id: (sp) => sp.id,
    accountEnabled: (sp) => sp.accountEnabled,
    appId: (sp) => sp.appId,
    displayName: (sp) => sp.displayName,
    servicePrincipalNames: (sp) => sp.servicePrincipalNames,
    servicePrincipalType: (sp) => sp.servicePrincipalType,
  },
  defaults: ['id', 'accountEnabled', 'appId', 'displayName', 'servicePrincipalNames', 'servicePrincipalType'],
  basic: new Set(['id', 'appId', 'displayName']),
  sortable: ['displayName'],
  advancedSortable: ['appId', 'id'],
};

/**
 * Reads every property of `value`; what the caller may not read is null, as Graph does for
 * "limited information" objects (only `id` and the type survive).
 */
export function toItem<T>(shape: EntityShape<T>, value: T, access: Access): DirectoryItem {
  const record: Record<string, unknown> = {};
  for (const [name, read] of Object.entries(shape.properties)) {
    const visible = name === 'id' || access === 'full' || (access === 'basic' && shape.basic.has(name));
    record[name] = visible ? read(value) : null;
  }
  return { shape, record };
}

/** The canonical name of a property on any of `shapes` (Graph matches names case-insensitively). */
export function resolveProperty(shapes: readonly AnyShape[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const shape of shapes) {
    const found = Object.keys(shape.properties).find((p) => p.toLowerCase() === lower);
    if (found) return found;
  }
  return undefined;
}

/** The JSON for one item: `$select`ed properties (those its type has), else the defaults. */
export function serializeItem(item: DirectoryItem, select: readonly string[] | undefined, withType: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = withType ? { '@odata.type': item.shape.odataType } : {};
  for (const name of select ?? item.shape.defaults) {
    if (name in item.record) out[name] = item.record[name];
  }
  return out;
}
