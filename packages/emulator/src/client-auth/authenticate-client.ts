import type { Application } from '../directory/types.ts';
import type { GrantContext } from '../grants/grant-context.ts';
import { AadError } from '../protocol/aad-error.ts';
import { redirectPlatform } from '../protocol/redirect-uris.ts';
import { JWT_BEARER_ASSERTION_TYPE, verifyClientAssertion } from './client-assertion.ts';

export type ClientAuthMethod = 'none' | 'secret' | 'certificate';

export interface AuthenticatedClient {
  clientId: string;
  app: Application;
  /** Tenant holding the app registration (and its credentials). */
  homeTenantId: string;
  /** 'none': no credential was sent; each grant decides whether a public client may do that. */
  method: ClientAuthMethod;
}

const malformed = (detail: string): AadError => new AadError(9002313, `Invalid request. Request is malformed or invalid: ${detail}`);

function formDecode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw malformed('the Authorization header is not valid client_secret_basic.');
  }
}

/** client_secret_basic: Basic base64(form-urlencoded id ":" form-urlencoded secret). */
function parseBasic(authorization: string | undefined): { id: string; secret: string } | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw malformed('the Authorization header is not valid client_secret_basic.');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw malformed('the Authorization header is not valid client_secret_basic.');
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

/** The `iss` of an assertion, read before verification only to find which app's keys to use. */
function unverifiedIssuer(assertion: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown };
    return typeof payload.iss === 'string' ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}

function unknownClient(clientId: string, tenant: string): AadError {
  return new AadError(
    700016,
    `Application with identifier '${clientId.slice(0, 64)}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  );
}

/**
 * Authenticates the client with exactly one of client_secret_post, client_secret_basic or
 * private_key_jwt, or none (public clients). Credentials that are sent are always verified.
 */
export async function authenticateClient(context: GrantContext): Promise<AuthenticatedClient> {
  const { form, deps } = context;
  const basic = parseBasic(context.authorization);
  const postedSecret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  const assertionType = form.get('client_assertion_type');
  if ([basic, postedSecret, assertion].filter((v) => v !== undefined).length > 1) {
    throw malformed('use exactly one client authentication method (client_secret, Authorization: Basic or client_assertion).');
  }
  if (assertionType !== undefined && assertion === undefined) form.require('client_assertion');
  if (assertion !== undefined && assertionType !== JWT_BEARER_ASSERTION_TYPE) {
    throw new AadError(700027, `Client assertion type must be '${JWT_BEARER_ASSERTION_TYPE}'.`);
  }

  let clientId = form.get('client_id');
  if (basic && clientId !== undefined && clientId !== basic.id) throw malformed('client_id differs from the Authorization header.');
  clientId = basic?.id ?? clientId ?? (assertion ? unverifiedIssuer(assertion) : undefined);
  if (clientId === undefined) form.require('client_id');
  const id = clientId as string;

  const tenantLabel = context.authority.kind === 'tenant' ? context.authority.tenant.id : context.authority.segment;
  const found = deps.directory.findApplicationByClientId(id);
  if (!found) throw unknownClient(id, tenantLabel);
  const client = { clientId: found.app.appId, app: found.app, homeTenantId: found.tenantId };

  const secret = basic?.secret ?? postedSecret;
  if ((secret !== undefined || assertion !== undefined) && isPublicOnly(found.app)) throw publicClientCredential();
  if (secret !== undefined) {
    const verdict = deps.directory.credentials.verifyClientSecret(found.app.id, secret);
    if (verdict === 'expired') throw new AadError(7000222, `The provided client secret keys for app '${client.clientId}' are expired. Create new keys for your app, or consider using certificate credentials.`);
    if (verdict !== 'valid') throw new AadError(7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`);
    return { ...client, method: 'secret' };
  }
  if (assertion !== undefined) {
    await verifyClientAssertion(context, found.app, assertion);
    return { ...client, method: 'certificate' };
  }
  return { ...client, method: 'none' };
}

/** AADSTS700025: Entra's answer when a client it treats as public presents a credential. */
export function publicClientCredential(): AadError {
  return new AadError(700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.");
}

/**
 * A public client with no credential of its own (e.g. the Azure CLI): it allows public client
 * flows, has no web redirect URI and no secret or certificate, so it can only be public.
 */
export function isPublicOnly(app: Application): boolean {
  const publicFlows = app.isFallbackPublicClient || app.publicClient.redirectUris.length > 0 || app.spa.redirectUris.length > 0;
  return publicFlows && app.web.redirectUris.length === 0 && app.passwordCredentials.length === 0 && app.keyCredentials.length === 0;
}

/** Confidential-only grants (client credentials, OBO, redemption at a web redirect URI). */
export function requireClientCredential(client: AuthenticatedClient): void {
  if (client.method === 'none') {
    throw new AadError(7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
}

/** `azpacr`/`appidacr`: 0 public client, 1 client secret, 2 certificate. */
export function clientAcr(client: AuthenticatedClient): '0' | '1' | '2' {
  return client.method === 'certificate' ? '2' : client.method === 'secret' ? '1' : '0';
}

/**
 * A code issued to a native (mobile and desktop) or SPA redirect URI belongs to a public client;
 * one issued to a web redirect URI to a confidential client, whatever isFallbackPublicClient says
 * (that setting governs the flows without a redirect URI: device code, password).
 */
export function isPublicClientRedirect(app: Application, redirectUri: string): boolean {
  const platform = redirectPlatform(app, redirectUri);
  return platform === 'publicClient' || platform === 'spa';
}

/**
 * The client's service principal in the tenant the token is for (700016 without one); single-tenant
 * apps cannot use /common or /organizations (50194).
 */
export function clientServicePrincipalId(context: GrantContext, client: AuthenticatedClient, tenantId: string): string {
  if (context.authority.kind !== 'tenant' && client.app.signInAudience === 'AzureADMyOrg') {
    throw new AadError(
      50194,
      `Application '${client.clientId}'(${client.app.displayName.slice(0, 64)}) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications. Use a tenant-specific endpoint or configure the application to be multi-tenant.`,
    );
  }
  const sp = context.deps.directory.findServicePrincipalByAppId(tenantId, client.clientId);
  if (!sp) throw unknownClient(client.clientId, tenantId);
  if (!sp.accountEnabled) throw new AadError(7000112, `Application '${client.clientId}'(${client.app.displayName.slice(0, 64)}) is disabled.`);
  return sp.id;
}
