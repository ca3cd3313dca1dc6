/** The API's delegated permission (scope), as registered: `api://{clientId}/user_impersonation`. */
export const API_SCOPE = 'user_impersonation';
/** The API's app role for its administrative routes; assignable to users and to apps. */
export const ADMIN_ROLE = 'Api.Admin';
/** Every app role the API defines: holding any of them is enough to call /api/me. */
export const API_ROLES: readonly string[] = [ADMIN_ROLE];
/** What the API asks for On-Behalf-Of the caller: Azure Storage as that user. */
export const STORAGE_SCOPES: readonly string[] = ['https://storage.azure.com/user_impersonation'];
