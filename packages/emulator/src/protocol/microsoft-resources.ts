import type { AppRole, PermissionScope, ServicePrincipal } from '../directory/types.ts';
import { stableGuid } from '../directory/ids.ts';

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const STORAGE_APP_ID = 'e406a681-f3d4-42a8-90b6-c2b029497af1';
/** Tenant that owns Microsoft's first-party applications. */
export const MICROSOFT_SERVICES_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

function scope(id: string, value: string, type: 'User' | 'Admin', description: string): PermissionScope {
  return {
    id,
    value,
    type,
    adminConsentDisplayName: description,
    adminConsentDescription: description,
    userConsentDisplayName: description,
    userConsentDescription: description,
    isEnabled: true,
  };
}

function role(id: string, value: string, description: string): AppRole {
  return { id, value, displayName: description, description, allowedMemberTypes: ['Application'], isEnabled: true };
}

/** Microsoft Graph's permissions the emulator implements, with Graph's real names and ids. */
export const GRAPH_SCOPES: PermissionScope[] = [
  scope('e1fc6093-4f2b-4e65-b1a1-1b85a1cd3db4', 'User.Read', 'User', 'Sign in and read user profile'),
  scope('b340eb25-3456-403f-be2f-af7a0d370277', 'User.ReadBasic.All', 'User', 'Read all users\' basic profiles'),
  scope('a154be20-db9c-4678-8ab7-66f6cc099a59', 'User.Read.All', 'Admin', 'Read all users\' full profiles'),
  scope('5f8c59db-677d-491f-a6b8-5f174b11ec1d', 'Group.Read.All', 'Admin', 'Read all groups'),
  scope('bc024368-1153-4739-b217-4326f2e966d0', 'GroupMember.Read.All', 'Admin', 'Read group memberships'),
  scope('06da0dbc-49e2-44d2-8312-53f166ab848a', 'Directory.Read.All', 'Admin', 'Read directory data'),
  scope('bdfbf15f-ee85-4955-8675-146e8e5296b5', 'Application.ReadWrite.All', 'Admin', 'Read and write all applications'),
  scope('84bccea3-f856-4a8a-967b-dbe0a3d53a64', 'AppRoleAssignment.ReadWrite.All', 'Admin', 'Manage app permission grants and app role assignments'),
  scope('41ce6ca6-6826-4807-84f1-1c82854f7ee5', 'DelegatedPermissionGrant.ReadWrite.All', 'Admin', 'Manage all delegated permission grants'),
  scope('f6a3db3e-f7e8-4ed2-a414-557c8c9830be', 'User.RevokeSessions.All', 'Admin', 'Revoke all sign in sessions for a user'),
  // Directory writes (Graph's users and groups).
  scope('204e0828-b5ca-4ad8-b9f3-f32a958e7cc4', 'User.ReadWrite.All', 'Admin', 'Read and write all users\' full profiles'),
  scope('f92e74e7-2563-467f-9dd0-902688cb5863', 'User.EnableDisableAccount.All', 'Admin', 'Enable and disable user accounts'),
  scope('4e46008b-f24c-477d-8fff-7bb4ec7aafe0', 'Group.ReadWrite.All', 'Admin', 'Read and write all groups'),
  scope('f81125ac-d3b7-4573-a3b2-7099cc39df9e', 'GroupMember.ReadWrite.All', 'Admin', 'Read and write group memberships'),
  scope('c5366453-9fb0-48a5-a156-24f0c49a4b84', 'Directory.ReadWrite.All', 'Admin', 'Read and write directory data'),
  scope('d01b97e9-cbc0-49fe-810a-750afd5527a3', 'RoleManagement.ReadWrite.Directory', 'Admin', 'Read and write directory RBAC settings'),
  scope('37f7f235-527c-4136-accd-4a02d197296e', 'openid', 'User', 'Sign users in'),
  scope('14dad69e-099b-42c9-810b-d002981feec1', 'profile', 'User', 'View users\' basic profile'),
  scope('64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0', 'email', 'User', 'View users\' email address'),
  scope('7427e0e9-2fba-42fe-b0c0-848c9e6a8182', 'offline_access', 'User', 'Maintain access to data you have given it access to'),
];

export const GRAPH_APP_ROLES: AppRole[] = [
  role('df021288-bdef-4463-88db-98f22de89214', 'User.Read.All', 'Read all users\' full profiles'),
  role('5b567255-7703-4780-807c-7be8301ae99b', 'Group.Read.All', 'Read all groups'),
  role('98830695-27a2-44f7-8c18-0c3ebc9698f6', 'GroupMember.Read.All', 'Read all group memberships'),
  role('7ab1d382-f21e-4acd-a863-ba3e13f7da61', 'Directory.Read.All', 'Read directory data'),
  role('1bfefb4e-e0b5-418b-a88f-73c6d2cf2f1f', 'Application.ReadWrite.All', 'Read and write all applications'),
  role('9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30', 'Application.Read.All', 'Read all applications'),
  // Directory writes (Graph's users and groups).
  role('741f803b-c850-494e-b5df-cde7c675a1ca', 'User.ReadWrite.All', 'Read and write all users\' full profiles'),
  role('3011c876-62b7-4ada-afa2-506cbbecc68c', 'User.EnableDisableAccount.All', 'Enable and disable user accounts'),
  role('62a82d76-70ea-41e2-9197-370581804d09', 'Group.ReadWrite.All', 'Read and write all groups'),
  role('bf7b1a76-6e77-406b-b258-bf5c7720e98f', 'Group.Create', 'Create groups'),
  role('dbaae8cf-10b5-4b86-a4a1-f871c94c6695', 'GroupMember.ReadWrite.All', 'Read and write all group memberships'),
  role('19dbc75e-c2e2-444c-a770-ec69d8559fc7', 'Directory.ReadWrite.All', 'Read and write directory data'),
  role('9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8', 'RoleManagement.ReadWrite.Directory', 'Read and write all directory RBAC settings'),
];

export const STORAGE_SCOPES: PermissionScope[] = [
  scope('03e0da56-190b-40ad-a80c-ea378c433f7f', 'user_impersonation', 'User', 'Access Azure Storage'),
];

/** The OIDC scopes: Graph's permissions in Entra, never a resource of their own in a token. */
export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export function microsoftServicePrincipals(tenantId: string): ServicePrincipal[] {
  return [
    {
      id: stableGuid(`${tenantId}:sp:graph`),
      appId: GRAPH_APP_ID,
      displayName: 'Microsoft Graph',
      servicePrincipalType: 'Application',
      accountEnabled: true,
      appRoles: GRAPH_APP_ROLES,
      oauth2PermissionScopes: GRAPH_SCOPES,
      servicePrincipalNames: [GRAPH_APP_ID, 'https://graph.microsoft.com', 'https://graph.microsoft.com/', 'https://canary.graph.microsoft.com'],
      accessTokenVersion: 1,
      appOwnerOrganizationId: MICROSOFT_SERVICES_TENANT,
    },
    {
      id: stableGuid(`${tenantId}:sp:storage`),
      appId: STORAGE_APP_ID,
      displayName: 'Azure Storage',
      servicePrincipalType: 'Application',
      accountEnabled: true,
      appRoles: [],
      oauth2PermissionScopes: STORAGE_SCOPES,
      servicePrincipalNames: [STORAGE_APP_ID, 'https://storage.azure.com', 'https://storage.azure.com/'],
      accessTokenVersion: 1,
      appOwnerOrganizationId: MICROSOFT_SERVICES_TENANT,
    },
  ];
}
