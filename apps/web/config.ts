/**
 * The web app's configuration: environment variables validated once at start (zod), with defaults
 * that target the local emulator through DATA/dev.json. The Azure SDK's names (AZURE_CLIENT_ID, ...)
 * come first; the older ENTRA_* names still work (config/older-names.ts). See docs/web.md.
 */
import { join, resolve } from 'node:path';
import { emulatorDefaults } from '../shared/emulator-defaults.ts';
import type { DevJson } from '@entrakit/emulator';
import { loadCertificateCredential } from '../shared/client-credential.ts';
import type { CertificateVariables, ClientCredential } from '../shared/client-credential.ts';
import { KNOWN_WEB_VARIABLES, WEB_ENV_SCHEMA } from './config/env-schema.ts';
import type { WebEnv } from './config/env-schema.ts';
import { WebConfigError } from './config/errors.ts';
import { refuseConflictingNames } from './config/older-names.ts';
import { persistentSecret } from '../shared/persistent-secret.ts';

export { WebConfigError } from './config/errors.ts';
export type { ClientCredential } from '../shared/client-credential.ts';

export interface WebConfig {
  /** Identity provider origin, e.g. https://login.microsoftonline.com or the emulator. */
  instance: string;
  tenantId: string;
  /** `${instance}/${tenantId}`: MSAL's authority. */
  authority: string;
  discoveryUrl: string;
  clientId: string;
  credential: ClientCredential;
  allowedTenants?: string[];
  caFile?: string;
  /** Public origin of this app, no trailing slash. */
  baseUrl: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  port: number;
  host: string;
  tokenCacheKey: Uint8Array;
  dataDir: string;
  storeUrl: string;
  apiUrl: string;
  apiScope?: string;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  logLevel: string;
  /** Where the app registration came from: the emulator's dev.json or the environment. */
  registrationSource: 'dev.json' | 'environment';
  /** Non-fatal findings (unknown variables, generated secrets) to log at start. */
  warnings: string[];
}

export interface LoadWebConfigOptions {
  env: Record<string, string | undefined>;
  /** Overrides ENTRAKIT_DATA (the CLI's --data). */
  dataDir?: string;
  /** Overrides PORT (the CLI's --port). */
  port?: number;
  /** Overrides HOST (the CLI's --host). */
  host?: string;
}

const MICROSOFT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
const VARIABLE_PREFIXES = ['ENTRA_', 'WEB_'];

/** Validates the environment; throws WebConfigError (WEB_CONFIG_INVALID) naming the bad variable. */
export function parseWebEnv(env: Record<string, string | undefined>): WebEnv {
  // `FOO=` in a .env template means "not set", not "set to nothing".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  refuseConflictingNames(present);
  const result = WEB_ENV_SCHEMA.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const message = issue?.message.startsWith(variable) ? issue.message : `${variable} is invalid: ${issue?.message ?? 'unknown problem'}`;
    throw new WebConfigError(variable, message);
  }
  return result.data;
}

export function unknownVariables(env: Record<string, string | undefined>): string[] {
  return Object.keys(env)
    .filter((name) => VARIABLE_PREFIXES.some((prefix) => name.startsWith(prefix)) && !KNOWN_WEB_VARIABLES.has(name))
    .sort();
}

export async function loadWebConfig(options: LoadWebConfigOptions): Promise<WebConfig> {
  const vars = parseWebEnv(options.env);
  const warnings = unknownVariables(options.env).map((name) => `${name} is not a variable the web app knows; it is ignored (typo?)`);
  const dataDir = resolve(options.dataDir ?? vars.ENTRAKIT_DATA ?? '.entrakit');
  const configuredClientId = vars.AZURE_CLIENT_ID ?? vars.ENTRA_CLIENT_ID;
  const hasCredential = (vars.AZURE_CLIENT_SECRET ?? vars.ENTRA_CLIENT_SECRET ?? vars.AZURE_CLIENT_CERTIFICATE_PATH ?? vars.ENTRA_CLIENT_CERTIFICATE_FILE) !== undefined;
  if (configuredClientId === undefined && hasCredential) {
    throw new WebConfigError('AZURE_CLIENT_ID', 'AZURE_CLIENT_ID is required when a client credential is set');
  }
  const { instance, emulator } = await emulatorDefaults(vars.AZURE_AUTHORITY_HOST ?? vars.ENTRA_INSTANCE, dataDir, MICROSOFT_AUTHORITY_HOST);
  if (configuredClientId === undefined && emulator === undefined) throw noRegistration(dataDir);
  // The demo app's registration (and secret) only while the app is the demo app.
  const dev = emulator && (configuredClientId === undefined || configuredClientId === emulator.apps.web.clientId) ? emulator : undefined;
  const tenantId = vars.AZURE_TENANT_ID ?? vars.ENTRA_TENANT_ID ?? emulator?.tenantId;
  if (tenantId === undefined) throw new WebConfigError('AZURE_TENANT_ID', 'AZURE_TENANT_ID is required when AZURE_CLIENT_ID is set');
  const clientId = configuredClientId ?? dev?.apps.web.clientId ?? '';
  const credential = await clientCredential(vars, dev);
  const baseUrl = (vars.WEB_BASE_URL ?? 'http://localhost:5000').replace(/\/$/, '');
  const baseParts = new URL(baseUrl);
  const defaultPort = baseParts.port === '' ? (baseParts.protocol === 'https:' ? 443 : 80) : Number(baseParts.port);
  const caFile = vars.ENTRA_CA_FILE ?? emulator?.emulator.caFile;
  const apiScope = vars.API_SCOPE ?? emulator?.apps.api.scope;

  const secretsDir = join(dataDir, 'web');
  const tokenCacheKey =
    vars.TOKEN_CACHE_KEY === undefined ? await persistentSecret(join(secretsDir, 'token-cache.key'), 32) : new Uint8Array(Buffer.from(vars.TOKEN_CACHE_KEY, 'base64'));
  if (dev === undefined && vars.TOKEN_CACHE_KEY === undefined) {
    warnings.push(`TOKEN_CACHE_KEY not set: using a generated key kept in ${secretsDir} (set it alike on every instance when running several)`);
  }
  // Every key the app's sign-in needs is derived from TOKEN_CACHE_KEY (createWebAuth's secret).
  if (vars.SESSION_SECRET !== undefined) warnings.push('SESSION_SECRET is no longer used (the sign-in keys come from TOKEN_CACHE_KEY): remove it');

  return {
    instance,
    tenantId,
    authority: `${instance}/${tenantId}`,
    discoveryUrl: `${instance}/${tenantId}/v2.0/.well-known/openid-configuration`,
    clientId,
    credential,
    ...(vars.ENTRA_ALLOWED_TENANTS ? { allowedTenants: vars.ENTRA_ALLOWED_TENANTS } : {}),
    ...(caFile ? { caFile: resolve(caFile) } : {}),
    baseUrl,
    redirectUri: `${baseUrl}/auth/callback`,
    postLogoutRedirectUri: `${baseUrl}/`,
    port: options.port ?? vars.PORT ?? defaultPort,
    host: options.host ?? vars.HOST ?? '127.0.0.1',
    tokenCacheKey,
    dataDir,
    storeUrl: vars.STORE_URL ?? `sqlite:${join(dataDir, 'web.db')}`,
    apiUrl: (vars.API_URL ?? emulator?.api?.url ?? 'http://localhost:5001').replace(/\/$/, ''),
    ...(apiScope ? { apiScope } : {}),
    sessionIdleMs: (vars.SESSION_IDLE_MINUTES ?? 60) * 60_000,
    sessionAbsoluteMs: (vars.SESSION_ABSOLUTE_HOURS ?? 12) * 3_600_000,
    logLevel: vars.LOG_LEVEL ?? 'info',
    registrationSource: dev ? 'dev.json' : 'environment',
    warnings,
  };
}

function noRegistration(dataDir: string): WebConfigError {
  return new WebConfigError(
    'AZURE_CLIENT_ID',
    `AZURE_CLIENT_ID is not set and ${join(dataDir, 'dev.json')} was not found: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or start the emulator first (entrakit emulator --data ${dataDir})`,
  );
}

/** The certificate files and the variables that named them: AZURE_CLIENT_CERTIFICATE_PATH (one PEM), or the older pair. */
function certificateFiles(vars: WebEnv): { certificateFile: string; keyFile: string; names: CertificateVariables } | undefined {
  const path = vars.AZURE_CLIENT_CERTIFICATE_PATH;
  if (path !== undefined) return { certificateFile: resolve(path), keyFile: resolve(path), names: { certificate: 'AZURE_CLIENT_CERTIFICATE_PATH', key: 'AZURE_CLIENT_CERTIFICATE_PATH' } };
  const certificateFile = vars.ENTRA_CLIENT_CERTIFICATE_FILE;
  const keyFile = vars.ENTRA_CLIENT_CERTIFICATE_KEY_FILE;
  if ((certificateFile === undefined) !== (keyFile === undefined)) {
    const missing = certificateFile === undefined ? 'ENTRA_CLIENT_CERTIFICATE_FILE' : 'ENTRA_CLIENT_CERTIFICATE_KEY_FILE';
    throw new WebConfigError(missing, `${missing} is required with ${missing === 'ENTRA_CLIENT_CERTIFICATE_FILE' ? 'ENTRA_CLIENT_CERTIFICATE_KEY_FILE' : 'ENTRA_CLIENT_CERTIFICATE_FILE'}`);
  }
  if (certificateFile === undefined || keyFile === undefined) return undefined;
  return { certificateFile, keyFile, names: { certificate: 'ENTRA_CLIENT_CERTIFICATE_FILE', key: 'ENTRA_CLIENT_CERTIFICATE_KEY_FILE' } };
}

async function clientCredential(vars: WebEnv, dev: DevJson | undefined): Promise<ClientCredential> {
  const certificate = certificateFiles(vars);
  const secretName = vars.AZURE_CLIENT_SECRET !== undefined ? 'AZURE_CLIENT_SECRET' : 'ENTRA_CLIENT_SECRET';
  const configuredSecret = vars.AZURE_CLIENT_SECRET ?? vars.ENTRA_CLIENT_SECRET;
  if (certificate !== undefined && configuredSecret !== undefined) {
    throw new WebConfigError(secretName, `${secretName} and ${certificate.names.certificate} are exclusive: set one credential`);
  }
  if (certificate !== undefined) {
    return loadCertificateCredential(certificate, certificate.names, (variable, message) => new WebConfigError(variable, message));
  }
  const secret = configuredSecret ?? dev?.apps.web.clientSecret;
  if (secret === undefined) {
    throw new WebConfigError('AZURE_CLIENT_SECRET', 'AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) is required when AZURE_CLIENT_ID is set');
  }
  return { kind: 'secret', secret };
}
