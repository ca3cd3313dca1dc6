import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { emulatorDefaults } from '../shared/emulator-defaults.ts';
import { conflictingOlderName, readSetting } from '../shared/older-names.ts';
import { loadCertificateCredential, type ClientCredential } from '../shared/client-credential.ts';
import { EntrakitError, GUID } from 'entrakit';

/** Everything the API needs to run, validated once at start. */
export interface ApiConfig {
  /** `https://login.microsoftonline.com` or the emulator's origin, without a trailing slash. */
  instance: string;
  /** Tenant GUID or domain, or `organizations`/`common` for a multi-tenant API. */
  tenantId: string;
  /** `{instance}/{tenantId}`: MSAL authority and base of the discovery URL. */
  authority: string;
  discoveryUrl: string;
  clientId: string;
  /** How the API proves itself to Entra (On-Behalf-Of, client credentials). */
  credential: ClientCredential;
  audiences: string[];
  /** Undefined: every tenant the issuer rule admits. */
  allowedTenants?: string[];
  caFile?: string;
  graphBaseUrl: string;
  storage: { blobUrl?: string; container: string };
  port: number;
  host: string;
  dataDir: string;
}

const MULTI_TENANT = new Set(['common', 'organizations']);
const DEFAULT_INSTANCE = 'https://login.microsoftonline.com';

const https = (what: string) =>
  z.string().refine((value) => URL.canParse(value) && new URL(value).protocol === 'https:', `must be an https URL (${what})`);
const list = z
  .string()
  .transform((value) => value.split(/[\s,]+/).filter((item) => item !== ''))
  .refine((items) => items.length > 0, 'must list at least one value (comma-separated)');

const envSchema = z
  .object({
    AZURE_AUTHORITY_HOST: https('e.g. https://login.microsoftonline.com'),
    AZURE_TENANT_ID: z.string({ error: 'is required (or start the emulator so DATA/dev.json exists)' }).regex(/^[A-Za-z0-9.-]{1,256}$/, 'must be a tenant GUID, domain, "organizations" or "common"'),
    API_CLIENT_ID: z.string({ error: 'is required (or start the emulator so DATA/dev.json exists)' }).regex(/^[A-Za-z0-9-]{1,64}$/, "must be the API app registration's client id"),
    API_CLIENT_SECRET: z.string().min(1).optional(),
    API_CLIENT_CERTIFICATE_FILE: z.string().min(1).optional(),
    API_CLIENT_CERTIFICATE_KEY_FILE: z.string().min(1).optional(),
    API_AUDIENCES: list.optional(),
    API_ALLOWED_TENANTS: list.optional(),
    ENTRA_CA_FILE: z.string().min(1).optional(),
    GRAPH_BASE_URL: https('e.g. https://graph.microsoft.com/v1.0'),
    STORAGE_BLOB_URL: https('e.g. https://127.0.0.1:10000/devstoreaccount1').optional(),
    STORAGE_CONTAINER: z.string().regex(/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be a blob container name (3-63 lower-case letters, digits, single hyphens)'),
    PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0, 'must be a port number from 0 to 65535').max(65535, 'must be a port number from 0 to 65535'),
    HOST: z.string().min(1),
  });

export interface LoadApiConfigOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Overrides ENTRAKIT_DATA. */
  dataDir?: string;
  port?: number;
  host?: string;
}

/**
 * Reads the API's configuration from environment variables: AZURE_AUTHORITY_HOST and
 * AZURE_TENANT_ID (the names entrakit/web and the web app read; their older names ENTRA_INSTANCE
 * and ENTRA_TENANT_ID still work), then the API's own. While the authority host is unset or is
 * the emulator's URL, unset variables default to DATA/dev.json (tenant, API client id and secret,
 * CA, Graph, storage), so `entrakit api` works against `entrakit emulator` with no setup.
 */
export async function loadApiConfig(options: LoadApiConfigOptions = {}): Promise<ApiConfig> {
  const env = withoutEmpty(options.env ?? process.env);
  const dataDir = resolve(options.dataDir ?? env['ENTRAKIT_DATA'] ?? '.entrakit');
  const conflict = conflictingOlderName(env, ['AZURE_AUTHORITY_HOST', 'AZURE_TENANT_ID']);
  if (conflict) throw configError([{ variable: conflict.current, message: conflict.message.slice(conflict.current.length + 1) }]);
  const { instance, emulator } = await emulatorDefaults(readSetting(env, 'AZURE_AUTHORITY_HOST'), dataDir, DEFAULT_INSTANCE);
  const clientId = env['API_CLIENT_ID'] ?? emulator?.apps.api.clientId;
  const devSecret = emulator && clientId === emulator.apps.api.clientId ? emulator.apps.api.clientSecret : undefined;

  const raw = {
    AZURE_AUTHORITY_HOST: instance,
    AZURE_TENANT_ID: readSetting(env, 'AZURE_TENANT_ID') ?? emulator?.tenantId,
    API_CLIENT_ID: clientId,
    API_CLIENT_SECRET: env['API_CLIENT_SECRET'] ?? (env['API_CLIENT_CERTIFICATE_FILE'] ? undefined : devSecret),
    API_CLIENT_CERTIFICATE_FILE: env['API_CLIENT_CERTIFICATE_FILE'],
    API_CLIENT_CERTIFICATE_KEY_FILE: env['API_CLIENT_CERTIFICATE_KEY_FILE'],
    API_AUDIENCES: env['API_AUDIENCES'],
    API_ALLOWED_TENANTS: env['API_ALLOWED_TENANTS'],
    ENTRA_CA_FILE: env['ENTRA_CA_FILE'] ?? emulator?.emulator.caFile,
    GRAPH_BASE_URL: trimSlash(env['GRAPH_BASE_URL'] ?? emulator?.graphBaseUrl ?? 'https://graph.microsoft.com/v1.0'),
    STORAGE_BLOB_URL: env['STORAGE_BLOB_URL'] ?? emulator?.storage?.blobUrl,
    STORAGE_CONTAINER: env['STORAGE_CONTAINER'] ?? 'stories',
    PORT: options.port ?? env['PORT'] ?? 5001,
    HOST: options.host ?? env['HOST'] ?? '127.0.0.1',
  };
  const parsed = envSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => ({ variable: issue.path.join('.'), message: issue.message }));
  if (raw.API_CLIENT_SECRET === undefined && raw.API_CLIENT_CERTIFICATE_FILE === undefined) {
    problems.push({ variable: 'API_CLIENT_SECRET', message: 'or API_CLIENT_CERTIFICATE_FILE is required' });
  }
  if (!parsed.success || problems.length > 0) throw configError(problems);
  const v = parsed.data;
  if (v.ENTRA_CA_FILE !== undefined) await checkReadable('ENTRA_CA_FILE', v.ENTRA_CA_FILE);
  if (v.API_CLIENT_CERTIFICATE_FILE !== undefined) await checkReadable('API_CLIENT_CERTIFICATE_FILE', v.API_CLIENT_CERTIFICATE_FILE);
  if (v.API_CLIENT_CERTIFICATE_KEY_FILE !== undefined) await checkReadable('API_CLIENT_CERTIFICATE_KEY_FILE', v.API_CLIENT_CERTIFICATE_KEY_FILE);
  // Read and checked now (key matches certificate), so a bad credential stops the API at start.
  const credential: ClientCredential = v.API_CLIENT_CERTIFICATE_FILE
    ? await loadCertificateCredential(
        { certificateFile: resolve(v.API_CLIENT_CERTIFICATE_FILE), keyFile: resolve(v.API_CLIENT_CERTIFICATE_KEY_FILE ?? v.API_CLIENT_CERTIFICATE_FILE) },
        { certificate: 'API_CLIENT_CERTIFICATE_FILE', key: v.API_CLIENT_CERTIFICATE_KEY_FILE ? 'API_CLIENT_CERTIFICATE_KEY_FILE' : 'API_CLIENT_CERTIFICATE_FILE' },
        (variable, message) => configError([{ variable, message: message.slice(variable.length + 1) }]),
      )
    : { kind: 'secret', secret: v.API_CLIENT_SECRET ?? '' };

  const authority = `${v.AZURE_AUTHORITY_HOST}/${v.AZURE_TENANT_ID}`;
  const allowedTenants = v.API_ALLOWED_TENANTS ?? (GUID.test(v.AZURE_TENANT_ID) ? [v.AZURE_TENANT_ID] : undefined);
  const config: ApiConfig = {
    instance: v.AZURE_AUTHORITY_HOST,
    tenantId: v.AZURE_TENANT_ID,
    authority,
    discoveryUrl: `${authority}/v2.0/.well-known/openid-configuration`,
    clientId: v.API_CLIENT_ID,
    credential,
    audiences: v.API_AUDIENCES ?? [v.API_CLIENT_ID, `api://${v.API_CLIENT_ID}`],
    graphBaseUrl: v.GRAPH_BASE_URL,
    storage: { container: v.STORAGE_CONTAINER, ...(v.STORAGE_BLOB_URL ? { blobUrl: trimSlash(v.STORAGE_BLOB_URL) } : {}) },
    port: v.PORT,
    host: v.HOST,
    dataDir,
  };
  if (allowedTenants) config.allowedTenants = allowedTenants;
  if (v.ENTRA_CA_FILE) config.caFile = resolve(v.ENTRA_CA_FILE);
  return config;
}

/** True for `common`/`organizations`: the caller's own tenant is then used for On-Behalf-Of. */
export function isMultiTenant(config: Pick<ApiConfig, 'tenantId'>): boolean {
  return MULTI_TENANT.has(config.tenantId.toLowerCase());
}

function withoutEmpty(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') out[name] = value.trim();
  return out;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

async function checkReadable(variable: string, path: string): Promise<void> {
  try {
    await readFile(resolve(path));
  } catch {
    throw new EntrakitError('API_CONFIG_INVALID', `Invalid API configuration: ${variable} names a file that cannot be read (${path})`, {
      status: 500,
      details: { variables: [variable] },
    });
  }
}

/** API_CONFIG_INVALID naming every bad variable. */
function configError(problems: Array<{ variable: string; message: string }>): EntrakitError {
  return new EntrakitError('API_CONFIG_INVALID', `Invalid API configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`, {
    status: 500,
    details: { variables: problems.map((p) => p.variable) },
  });
}
