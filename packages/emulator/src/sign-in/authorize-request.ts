import type { Directory } from '../directory/directory.ts';
import type { Application } from '../directory/types.ts';
import { AadError } from '../protocol/aad-error.ts';
import { parseClaimsRequest } from '../protocol/claims-request.ts';
import { parseScopes } from '../protocol/scopes.ts';
import { redirectPlatform, type RedirectPlatform } from '../protocol/redirect-uris.ts';
import type { EmulatorSwitches } from '../protocol/switches.ts';
import { resolveAuthority } from '../protocol/tenant.ts';
import { requiredParam, singleParam } from './request-params.ts';

export type ResponseMode = 'query' | 'fragment' | 'form_post';
export type Prompt = 'none' | 'login' | 'select_account' | 'consent';

/** Where and how /authorize answers; trusted only once client and redirect URI are validated. */
export interface ResponseTarget {
  redirectUri: string;
  responseMode: ResponseMode;
  state?: string;
}

export interface RequestAuthority {
  kind: 'tenant' | 'common' | 'organizations';
  /** The path segment as used, for the login and consent form actions. */
  segment: string;
  /** The tenant the path named; null for common/organizations (the user's UPN decides). */
  tenantId: string | null;
}

/** What /authorize returns: a code, an ID token and/or an access token (implicit), or a mix (hybrid). */
export interface ResponseTypes {
  code: boolean;
  idToken: boolean;
  token: boolean;
}

/** A validated authorization request, kept in the login transaction while the user interacts. */
export interface AuthorizeRequest extends ResponseTarget {
  responseTypes: ResponseTypes;
  /** Under which platform the redirect URI is registered (spa needs PKCE). */
  platform: RedirectPlatform;
  authority: RequestAuthority;
  clientId: string;
  appDisplayName: string;
  frontchannelLogoutUri: string | null;
  scope: string;
  nonce?: string;
  prompt?: Prompt;
  loginHint?: string;
  /** S256 challenge; '' when the client sent none (allowed for confidential web clients only). */
  codeChallenge: string;
  maxAge?: number;
  /** From the `claims` parameter: authentication contexts to satisfy (c1..c99). */
  acrs?: string[];
  /** From the `claims` parameter: client capabilities, lower case ('cp1': CAE-capable). */
  capabilities?: string[];
  /** From a CAE challenge's `nbf` claim: the sign-in must be newer than this (seconds). */
  notBefore?: number;
}

export interface ResolvedClient {
  authority: RequestAuthority;
  app: Application;
  appTenantId: string;
  target: ResponseTarget;
  platform: RedirectPlatform;
}

const RESPONSE_MODES = new Set<string>(['query', 'fragment', 'form_post']);
const PROMPTS = new Set<string>(['none', 'login', 'select_account', 'consent']);
const HTTP_URI = /^https?:\/\//i;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function registeredRedirectUris(app: Application): string[] {
  return [...app.web.redirectUris, ...app.spa.redirectUris, ...app.publicClient.redirectUris];
}

/**
 * Tenant, client and redirect URI. Failures here are shown on an error page and never redirected:
 * until the redirect URI matches a registration byte for byte, it may belong to an attacker.
 */
export function resolveClient(directory: Directory, segment: string, params: URLSearchParams): ResolvedClient {
  const resolved = resolveAuthority(directory, segment);
  const authority: RequestAuthority =
    resolved.kind === 'tenant' ? { kind: 'tenant', segment: resolved.tenant.id, tenantId: resolved.tenant.id } : { kind: resolved.kind, segment: resolved.segment, tenantId: null };
  const clientId = requiredParam(params, 'client_id', 200);
  const found = directory.findApplicationByClientId(clientId);
  const foreign = found && authority.tenantId !== null && authority.tenantId !== found.tenantId && found.app.signInAudience === 'AzureADMyOrg';
  if (!found || foreign) {
    throw new AadError(
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${authority.tenantId ?? authority.segment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const redirectUri = requiredParam(params, 'redirect_uri');
  const registered = registeredRedirectUris(found.app);
  if (registered.length === 0) throw new AadError(500113, 'No reply address is registered for the application.');
  const platform = redirectPlatform(found.app, redirectUri);
  if (platform === undefined) {
    throw new AadError(
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
    );
  }
  const mode = singleParam(params, 'response_mode', 32);
  const state = safeState(params);
  const usable = mode !== undefined && RESPONSE_MODES.has(mode) && (mode !== 'form_post' || HTTP_URI.test(redirectUri));
  // Tokens never travel in a query string: implicit and hybrid answer in the fragment by default.
  const fallback: ResponseMode = returnsTokens(params) ? 'fragment' : 'query';
  const target: ResponseTarget = { redirectUri, responseMode: usable && !(mode === 'query' && fallback === 'fragment') ? (mode as ResponseMode) : fallback };
  if (state !== undefined) target.state = state;
  return { authority, app: found.app, appTenantId: found.tenantId, target, platform };
}

/** Whether response_type asks for a token in the front channel (read leniently, before validation). */
function returnsTokens(params: URLSearchParams): boolean {
  const values = params.getAll('response_type');
  return values.length === 1 && (values[0] ?? '').split(' ').some((v) => v === 'id_token' || v === 'token');
}

/**
 * response_type as a set of code, id_token and token (order does not matter). A front-channel ID
 * token needs web.implicitGrantSettings.enableIdTokenIssuance, an access token
 * enableAccessTokenIssuance (AADSTS700054 and AADSTS700051 otherwise, as Entra answers).
 */
function parseResponseTypes(app: Application, responseType: string): ResponseTypes {
  const values = responseType.split(' ').filter((v) => v !== '');
  const set = new Set(values);
  const known = ['code', 'id_token', 'token'];
  if (set.size !== values.length || values.some((v) => !known.includes(v))) {
    throw new AadError(70005, `response_type '${responseType.slice(0, 64)}' is not supported. Use code, id_token, token or a combination of them.`);
  }
  const implicit = app.web.implicitGrantSettings;
  if (set.has('id_token') && implicit?.enableIdTokenIssuance !== true) throw new AadError(700054, "response_type 'id_token' is not enabled for the application.");
  if (set.has('token') && implicit?.enableAccessTokenIssuance !== true) throw new AadError(700051, "response_type 'token' is not enabled for the application.");
  return { code: set.has('code'), idToken: set.has('id_token'), token: set.has('token') };
}

/** The state to echo on errors; an unusable one (repeated, oversized) is not echoed. */
function safeState(params: URLSearchParams): string | undefined {
  try {
    return singleParam(params, 'state');
  } catch {
    return undefined;
  }
}

/** Everything else. Failures here redirect to the (now trusted) redirect URI with `error`. */
export function validateAuthorizeRequest(directory: Directory, client: ResolvedClient, params: URLSearchParams, switches: Pick<EmulatorSwitches, 'requirePkce'>): AuthorizeRequest {
  const { app, authority, target } = client;
  const mode = singleParam(params, 'response_mode', 32);
  if (mode !== undefined && !RESPONSE_MODES.has(mode)) throw new AadError(9002313, `Invalid request. The response_mode '${mode}' is not supported.`);
  if (mode === 'form_post' && !HTTP_URI.test(target.redirectUri)) throw new AadError(9002313, 'Invalid request. response_mode=form_post needs an http or https redirect URI.');
  singleParam(params, 'state');
  const responseType = requiredParam(params, 'response_type', 64);
  const responseTypes = parseResponseTypes(app, responseType);
  if ((responseTypes.idToken || responseTypes.token) && mode === 'query') throw new AadError(9002313, "Invalid request. response_mode 'query' cannot carry tokens; use fragment or form_post.");
  if (authority.kind !== 'tenant' && app.signInAudience === 'AzureADMyOrg') {
    throw new AadError(
      50194,
      `Application '${app.appId}'(${app.displayName}) is not configured as a multi-tenant application. Usage of the /${authority.segment} endpoint is not supported for such applications. Use a tenant-specific endpoint or configure the application to be multi-tenant.`,
    );
  }
  const scope = requiredParam(params, 'scope');
  parseScopes(directory, authority.tenantId ?? client.appTenantId, scope);
  const prompt = singleParam(params, 'prompt', 32);
  if (prompt !== undefined && !PROMPTS.has(prompt)) throw new AadError(9002313, `Invalid request. The prompt value '${prompt}' is not supported.`);
  const codeChallenge = singleParam(params, 'code_challenge', 256);
  const method = singleParam(params, 'code_challenge_method', 32);
  if (codeChallenge === undefined) {
    // Entra requires PKCE only for SPA redirect URIs (the code is redeemed cross-origin); it is
    // optional for web and native redirect URIs, also when the app allows public client flows.
    const required = client.platform === 'spa' || switches.requirePkce === 'always';
    if (responseTypes.code && required) {
      throw new AadError(9002325, 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.');
    }
  } else {
    if (method !== 'S256') {
      // RFC 7636 makes a missing method mean `plain`; neither is accepted, so PKCE cannot be downgraded.
      throw new AadError(501491, `The code_challenge_method '${method ?? 'plain'}' is not supported. Use S256.`);
    }
    if (!S256_CHALLENGE.test(codeChallenge)) throw new AadError(501491, 'Invalid size of Code_Challenge parameter.');
  }
  const maxAge = singleParam(params, 'max_age', 10);
  if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) throw new AadError(9002313, 'Invalid request. max_age must be a non-negative integer.');
  const claims = parseClaimsRequest(singleParam(params, 'claims', 8192));
  singleParam(params, 'domain_hint', 512);

  const request: AuthorizeRequest = {
    ...target,
    responseTypes,
    platform: client.platform,
    authority,
    clientId: app.appId,
    appDisplayName: app.displayName,
    frontchannelLogoutUri: app.web.logoutUrl,
    scope,
    codeChallenge: codeChallenge ?? '',
  };
  const nonce = singleParam(params, 'nonce');
  // OIDC: an ID token sent through the browser must be bound to the request by a nonce.
  if (responseTypes.idToken && nonce === undefined) requiredParam(params, 'nonce');
  const loginHint = singleParam(params, 'login_hint', 512);
  if (nonce !== undefined) request.nonce = nonce;
  if (prompt !== undefined) request.prompt = prompt as Prompt;
  if (loginHint !== undefined) request.loginHint = loginHint;
  if (maxAge !== undefined) request.maxAge = Number(maxAge);
  if (claims.acrs.length > 0) request.acrs = claims.acrs;
  if (claims.capabilities.length > 0) request.capabilities = claims.capabilities;
  if (claims.notBefore !== undefined) request.notBefore = claims.notBefore;
  return request;
}

