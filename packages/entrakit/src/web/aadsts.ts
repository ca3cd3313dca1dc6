/** The AADSTS codes a sign-in most often ends with, explained in one sentence each. */
export const AADSTS_EXPLANATIONS: Readonly<Record<string, string>> = {
  '50011': "The redirect URI the app sent is not registered for the app: add it exactly (scheme, host, port, path) in the app registration.",
  '50020': 'The account is from a tenant this app does not accept (a single-tenant app, or a guest who was not invited).',
  '50034': 'The user account does not exist in this tenant.',
  '50053': 'The account is locked after too many failed sign-ins; wait and try again.',
  '50055': 'The password has expired and must be changed.',
  '50057': 'The user account is disabled.',
  '50058': 'Silent sign-in (prompt=none) found no signed-in session at the identity provider: the user must sign in interactively.',
  '50076': 'Multi-factor authentication is required for this sign-in (a Conditional Access policy); sign in interactively.',
  '50079': 'The user must register for multi-factor authentication before signing in.',
  '50105': 'The user is not assigned to the app and the app requires assignment: an administrator must assign the user or a group.',
  '50126': 'The username or password is wrong.',
  '50148': 'The PKCE code_verifier does not match the code_challenge sent with the authorization request.',
  '501481': 'The PKCE code_verifier does not match the code_challenge sent with the authorization request.',
  '53003': 'A Conditional Access policy blocked the sign-in.',
  '54005': 'The authorization code was already redeemed: codes are single use (a replayed or double-submitted callback).',
  '65001': 'The user (or an administrator) has not consented to the permissions the app asked for.',
  '65004': 'The user declined to consent to the permissions the app asked for.',
  '70000': 'The grant (authorization code or refresh token) is invalid, expired or was issued to another app.',
  '70008': 'The authorization code or refresh token has expired: sign in again.',
  '70011': 'The requested scope is invalid (unknown, malformed, or scopes for more than one resource in one request).',
  '90002': 'The tenant in the authority URL does not exist: check AZURE_TENANT_ID.',
  '90014': 'A required request parameter is missing.',
  '500011': 'The resource (API) named in the scope is not registered in the tenant.',
  '700016': 'The application (client id) was not found in the tenant: check AZURE_CLIENT_ID and AZURE_TENANT_ID.',
  '700027': 'The client assertion (certificate credential) was refused: the certificate in AZURE_CLIENT_CERTIFICATE_PATH is not one uploaded to the app registration (Certificates & secrets), or it has expired.',
  '700082': 'The refresh token expired after a long period of inactivity: sign in again.',
  '7000215': 'The client secret is invalid: check AZURE_CLIENT_SECRET (use the secret value, not its id).',
  '7000218': 'The token request carried no client credential (client_secret or client_assertion).',
  '900144': 'A required request parameter is missing.',
};

/** The first AADSTS code in an error description ("AADSTS50011: ..."), or undefined. */
export function aadstsCode(description: string | undefined): string | undefined {
  return description ? /AADSTS(\d{4,8})\b/.exec(description)?.[1] : undefined;
}

export function explainAadsts(code: string | undefined): string | undefined {
  return code !== undefined && Object.hasOwn(AADSTS_EXPLANATIONS, code) ? AADSTS_EXPLANATIONS[code] : undefined;
}
