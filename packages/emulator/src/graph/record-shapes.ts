import { newApplication } from '../directory/new-application.ts';
import type { ServicePrincipal } from '../directory/types.ts';
import { applicationJson, servicePrincipalJson } from './application-shape.ts';
import type { AnyShape, DirectoryItem } from './entity-shapes.ts';

/**
 * Shapes for entities serialised whole (applications, full service principals, grants): the item
 * record is already Graph's JSON, so each property reads itself; `$select`/`$filter` use the names.
 */
function recordShape(odataType: string, entitySet: string, keys: readonly string[], sortable: readonly string[], advancedSortable: readonly string[]): AnyShape {
  const properties = Object.fromEntries(keys.map((key) => [key, (record: Record<string, unknown>) => record[key]]));
  return {
    odataType: `#${odataType}`,
    typeName: odataType,
    entitySet,
    properties: properties as AnyShape['properties'],
    defaults: keys,
    basic: new Set(keys),
    sortable,
    advancedSortable,
  };
}

const sampleApp = applicationJson(newApplication({ appId: '', displayName: '' }), '');
const sampleSp = servicePrincipalJson({ appRoles: [], oauth2PermissionScopes: [], servicePrincipalNames: [] } as unknown as ServicePrincipal, undefined);

export const APPLICATION_RECORD = recordShape('microsoft.graph.application', 'applications', Object.keys(sampleApp), ['displayName'], ['appId', 'createdDateTime', 'id']);
export const SERVICE_PRINCIPAL_RECORD = recordShape('microsoft.graph.servicePrincipal', 'servicePrincipals', Object.keys(sampleSp), ['displayName'], ['appId', 'id']);
export const PERMISSION_GRANT_RECORD = recordShape('microsoft.graph.oAuth2PermissionGrant', 'oauth2PermissionGrants', ['clientId', 'consentType', 'id', 'principalId', 'resourceId', 'scope'], [], []);
export const ROLE_ASSIGNMENT_RECORD = recordShape(
  'microsoft.graph.appRoleAssignment',
  'appRoleAssignments',
  ['id', 'deletedDateTime', 'appRoleId', 'createdDateTime', 'principalDisplayName', 'principalId', 'principalType', 'resourceDisplayName', 'resourceId'],
  [],
  [],
);

export function recordItem(shape: AnyShape, record: Record<string, unknown>): DirectoryItem {
  return { shape, record };
}
