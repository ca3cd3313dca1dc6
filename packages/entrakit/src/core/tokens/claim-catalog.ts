/**
 * What each Entra ID-token and access-token claim means (v1 and v2).
 * 'identity' = who the user (or calling app) is; 'authorization' = what the caller may do;
 * 'token' = the token's own lifetime, audience and protocol bookkeeping.
 */
export type ClaimCategory = 'identity' | 'authorization' | 'token';

export interface ClaimDescription {
  meaning: string;
  category: ClaimCategory;
  /** What a coded value means, e.g. appidacr "1" = client secret. */
  values?: Readonly<Record<string, string>>;
}

const CLIENT_AUTH: Readonly<Record<string, string>> = { '0': 'public client (no secret)', '1': 'client secret', '2': 'certificate or client assertion' };

const catalog: Record<string, ClaimDescription> = {
  // Protocol and lifetime
  aud: { category: 'token', meaning: 'Audience: the app (client id) or API the token is meant for' },
  iss: { category: 'token', meaning: 'Issuer: the authority and tenant that signed the token' },
  iat: { category: 'token', meaning: 'Issued at (seconds since the epoch)' },
  nbf: { category: 'token', meaning: 'Not before: the token is not valid before this time' },
  exp: { category: 'token', meaning: 'Expiry: the token must be refused after this time' },
  ver: { category: 'token', meaning: 'Token format version: "1.0" or "2.0"' },
  nonce: { category: 'token', meaning: 'Value the app sent with the sign-in request, echoed to stop replay' },
  uti: { category: 'token', meaning: 'Token identifier Entra uses internally (unique per token)' },
  rh: { category: 'token', meaning: 'Opaque value Entra uses to revalidate tokens; ignore it' },
  aio: { category: 'token', meaning: 'Opaque value Entra uses internally; ignore it' },
  sid: { category: 'token', meaning: 'Session id of the sign-in session, used for front-channel sign-out' },
  idtyp: { category: 'token', meaning: 'Token type: "app" for app-only tokens, "user" for delegated ones' },
  at_hash: { category: 'token', meaning: 'Hash of the access token issued with this ID token' },
  c_hash: { category: 'token', meaning: 'Hash of the authorization code issued with this ID token' },
  auth_time: { category: 'token', meaning: 'When the user last entered credentials' },
  jti: { category: 'token', meaning: 'Unique token identifier' },
  typ: { category: 'token', meaning: 'Type of the token' },
  // Who the user is
  sub: { category: 'identity', meaning: 'Subject: pairwise user id, unique per user and app' },
  oid: { category: 'identity', meaning: 'Object id of the user (or service principal) in the tenant; stable across apps' },
  tid: { category: 'identity', meaning: 'Tenant id of the directory the user signed in to' },
  name: { category: 'identity', meaning: 'Display name of the user (for display, not a key)' },
  preferred_username: { category: 'identity', meaning: 'Sign-in name (usually the UPN or email); can change, not a key' },
  email: { category: 'identity', meaning: 'Email address, present with the email scope; may be unverified' },
  upn: { category: 'identity', meaning: 'User principal name (v1 tokens); can change, not a key' },
  unique_name: { category: 'identity', meaning: 'Human-readable user name (v1 tokens); not a key' },
  given_name: { category: 'identity', meaning: 'First name of the user' },
  family_name: { category: 'identity', meaning: 'Last name of the user' },
  login_hint: { category: 'identity', meaning: 'Opaque hint that identifies the account for later sign-ins and sign-out' },
  ipaddr: { category: 'identity', meaning: 'IP address the user authenticated from' },
  onprem_sid: { category: 'identity', meaning: 'On-premises security identifier of a synced user' },
  ctry: { category: 'identity', meaning: "User's country or region" },
  tenant_ctry: { category: 'identity', meaning: "Country or region of the user's tenant" },
  amr: { category: 'identity', meaning: 'Authentication methods of the sign-in: pwd (password), mfa (a second factor was given), otp, rsa...; ["pwd","mfa"] after multi-factor' },
  acr: {
    category: 'identity',
    meaning: 'Authentication context class reference (v1 tokens): "0" when the user did not meet ISO/IEC 29115 level 1, "1" otherwise',
    values: { '0': 'the authentication did not meet level 1', '1': 'the user authenticated (level 1)' },
  },
  idp: { category: 'identity', meaning: 'Identity provider that authenticated the user; absent (or the issuer) for users of this tenant, e.g. live.com for a Microsoft account or another tenant for a guest' },
  acrs: { category: 'authorization', meaning: 'Conditional Access authentication contexts (c1...c99) the sign-in satisfied; an API demanding one (step-up) answers a claims challenge when it is missing' },
  // What the caller may do
  scp: { category: 'authorization', meaning: 'Delegated permissions (scopes) granted to the app, space-separated' },
  roles: { category: 'authorization', meaning: 'App roles assigned to the user or the calling app' },
  groups: { category: 'authorization', meaning: 'Object ids of the groups the user belongs to' },
  hasgroups: { category: 'authorization', meaning: 'The user has too many groups for the token; read them from Graph' },
  _claim_names: { category: 'authorization', meaning: 'Group overage: names the claims that must be fetched from _claim_sources' },
  _claim_sources: { category: 'authorization', meaning: 'Group overage: where to fetch the groups (Graph getMemberObjects)' },
  wids: { category: 'authorization', meaning: 'Directory (tenant-wide) role template ids of the user' },
  azp: { category: 'authorization', meaning: 'Client id of the app that requested the token (v2)' },
  azpacr: { category: 'authorization', meaning: 'How the client authenticated: 0 public, 1 secret, 2 certificate (v2)', values: CLIENT_AUTH },
  appid: { category: 'authorization', meaning: 'Client id of the app that requested the token (v1)' },
  app_displayname: { category: 'authorization', meaning: 'Display name of the client app that requested the token: an optional access-token claim Entra documents (for display and logs, never for authorization)' },
  appidacr: { category: 'authorization', meaning: 'How the client authenticated: 0 public, 1 secret, 2 certificate (v1)', values: CLIENT_AUTH },
  xms_cc: { category: 'authorization', meaning: 'Client capabilities the app declared: cp1 = it handles claims challenges, so CAE-capable resources (Graph) may revoke the token before expiry' },
};

export const CLAIM_CATALOG: Readonly<Record<string, Readonly<ClaimDescription>>> = Object.freeze(catalog);
