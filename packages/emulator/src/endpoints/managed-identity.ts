import type { Context, Hono } from 'hono';
import { timingSafeStringEqual } from 'entrakit/internal';
import type { EmulatorDeps } from '../deps.ts';
import { AadError } from '../protocol/aad-error.ts';
import { APP_SERVICE_PATH, createManagedIdentityTable, identityHeaderValue, IMDS_PATH, type ManagedIdentity } from '../protocol/managed-identities.ts';
import { parseScopes } from '../protocol/scopes.ts';
import { explain } from '../request-log/record-requests.ts';
import { accessTokenAudience, mintAppAccessToken } from '../tokens/access-token.ts';
import { effectiveLifetimes } from '../tokens/lifetimes.ts';

type MiDeps = Pick<EmulatorDeps, 'directory' | 'keys' | 'clock' | 'publicUrl' | 'cookieSecret'>;

const APP_SERVICE_API_VERSION = '2019-08-01';
const API_VERSION = /^\d{4}-\d{2}-\d{2}$/;

/** A refusal in the shape both protocols use: `{error, error_description}`. */
class ManagedIdentityRefusal extends Error {
  readonly status: 400 | 401;
  readonly error: string;
  constructor(status: 400 | 401, error: string, message: string) {
    super(message);
    this.status = status;
    this.error = error;
  }
}

function refuse(c: Context, refusal: ManagedIdentityRefusal): Response {
  explain(c, `refused: ${refusal.message}`);
  c.header('Cache-Control', 'no-store');
  return c.json({ error: refusal.error, error_description: refusal.message }, refusal.status);
}

/** The identity a request names (one of the id parameters), or the host's system-assigned one. */
function pickIdentity(table: ReturnType<typeof createManagedIdentityTable>, ids: Array<string | undefined>): ManagedIdentity {
  const named = ids.filter((v): v is string => v !== undefined && v !== '');
  if (named.length > 1) throw new ManagedIdentityRefusal(400, 'invalid_request', 'Only one of client_id, object_id (principal_id) and the resource id may be given.');
  const identity = named[0] !== undefined ? table.find(named[0].slice(0, 512)) : table.systemAssigned();
  if (!identity) throw new ManagedIdentityRefusal(400, 'invalid_request', 'Identity not found');
  return identity;
}

/**
 * An app-only token for the identity: `idtyp: app`, `oid`/`sub` = its service principal, roles
 * assigned to it, `xms_mirid` = its Azure resource id. Certificate-grade client (`appidacr` 2).
 */
async function issue(deps: MiDeps, identity: ManagedIdentity, resourceParam: string | undefined): Promise<{ token: string; expiresOn: number; notBefore: number }> {
  if (!resourceParam) throw new ManagedIdentityRefusal(400, 'invalid_request', "Required query variable 'resource' is missing");
  const sp = deps.directory.objects.get('servicePrincipal', identity.principalId);
  if (!sp || !sp.value.accountEnabled) throw new ManagedIdentityRefusal(400, 'invalid_request', 'Identity not found');
  let request;
  try {
    request = parseScopes(deps.directory, identity.tenantId, `${resourceParam.slice(0, 512).replace(/\/+$/, '')}/.default`);
  } catch (error) {
    if (error instanceof AadError) throw new ManagedIdentityRefusal(400, 'invalid_resource', `AADSTS${error.aadsts}: ${error.message}`);
    throw error;
  }
  const now = Math.floor(deps.clock() / 1000);
  const token = await mintAppAccessToken(deps, {
    tenantId: identity.tenantId,
    client: { app: { appId: identity.clientId, displayName: identity.name }, acr: '2', servicePrincipalId: identity.principalId },
    resource: request.resource,
    audience: accessTokenAudience(request),
    managedIdentityResourceId: identity.resourceId,
  });
  // The same lifetime the token's exp was given (tenant file settings, else Entra's default).
  const lifetime = effectiveLifetimes(deps.directory, identity.tenantId, identity.clientId, request.resource.appId).accessTokenS;
  return { token, expiresOn: now + lifetime, notBefore: now };
}

/** The request log's line for an issued token: which identity, through which protocol, for what. */
function explainIssued(c: Context, identity: ManagedIdentity, protocol: 'App Service' | 'IMDS', resource: string | undefined): void {
  const assigned = identity.kind === 'SystemAssigned' ? 'system-assigned (no id named)' : 'user-assigned';
  explain(c, `${protocol} protocol: ${assigned} identity "${identity.name}" got an app-only token for ${resource ?? '?'}`);
}

/**
 * The two ways Azure hands a managed identity's token to code running on a resource:
 * - App Service / Functions: `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=...` with
 *   `X-IDENTITY-HEADER: {IDENTITY_HEADER}`, optionally `client_id`, `principal_id` or `mi_res_id`;
 * - IMDS (VMs): `GET /metadata/identity/oauth2/token?api-version=...&resource=...` with
 *   `Metadata: true`, optionally `client_id`, `object_id` or `msi_res_id`.
 * Without an id, the host's system-assigned identity answers.
 */
export function managedIdentityEndpoints(app: Hono, deps: MiDeps): void {
  const table = createManagedIdentityTable(deps.directory);
  const expectedHeader = identityHeaderValue(deps.cookieSecret);

  // MSAL canonicalises endpoint URLs with a trailing slash; Azure's endpoints take both forms.
  app.on('GET', [APP_SERVICE_PATH, `${APP_SERVICE_PATH}/`], async (c) => {
    try {
      const header = c.req.header('x-identity-header');
      if (header === undefined || !timingSafeStringEqual(header, expectedHeader)) {
        throw new ManagedIdentityRefusal(401, 'invalid_request', 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.');
      }
      const version = c.req.query('api-version');
      if (version !== APP_SERVICE_API_VERSION) throw new ManagedIdentityRefusal(400, 'invalid_request', `api-version must be ${APP_SERVICE_API_VERSION}`);
      const identity = pickIdentity(table, [c.req.query('client_id'), c.req.query('principal_id'), c.req.query('mi_res_id')]);
      const resource = c.req.query('resource');
      const { token, expiresOn } = await issue(deps, identity, resource);
      explainIssued(c, identity, 'App Service', resource);
      c.header('Cache-Control', 'no-store');
      return c.json({ access_token: token, expires_on: String(expiresOn), resource, token_type: 'Bearer', client_id: identity.clientId });
    } catch (error) {
      if (error instanceof ManagedIdentityRefusal) return refuse(c, error);
      throw error;
    }
  });

  app.on('GET', [IMDS_PATH, `${IMDS_PATH}/`], async (c) => {
    try {
      if (c.req.header('metadata')?.toLowerCase() !== 'true') throw new ManagedIdentityRefusal(400, 'invalid_request', 'Required metadata header not specified');
      // As IMDS: a request that came through a proxy is refused (the Metadata header and this
      // check keep server-side request forgery from reaching the identity).
      if (c.req.header('x-forwarded-for') !== undefined) throw new ManagedIdentityRefusal(400, 'invalid_request', 'Request contains a forwarding header (X-Forwarded-For): IMDS does not accept proxied requests.');
      const version = c.req.query('api-version');
      if (version === undefined || !API_VERSION.test(version)) throw new ManagedIdentityRefusal(400, 'invalid_request', 'Missing or invalid api-version');
      const identity = pickIdentity(table, [c.req.query('client_id'), c.req.query('object_id'), c.req.query('msi_res_id') ?? c.req.query('mi_res_id')]);
      const resource = c.req.query('resource');
      const { token, expiresOn, notBefore } = await issue(deps, identity, resource);
      explainIssued(c, identity, 'IMDS', resource);
      c.header('Cache-Control', 'no-store');
      return c.json({
        access_token: token,
        client_id: identity.clientId,
        expires_in: String(expiresOn - notBefore),
        expires_on: String(expiresOn),
        ext_expires_in: String(expiresOn - notBefore),
        not_before: String(notBefore),
        resource,
        token_type: 'Bearer',
      });
    } catch (error) {
      if (error instanceof ManagedIdentityRefusal) return refuse(c, error);
      throw error;
    }
  });
}
