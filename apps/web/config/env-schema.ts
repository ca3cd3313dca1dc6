/**
 * The web app's environment variables as a zod schema. Every message starts with the variable's
 * name, so a bad deployment fails at start with a sentence that says what to fix.
 */
import { z } from 'zod';
import { GUID } from 'entrakit';
import { httpsOrLoopbackUrl } from 'entrakit/web';

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

function isOrigin(value: string, protocols: readonly string[]): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return protocols.includes(url.protocol) && url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '';
}

const optionalText = (name: string) => z.string().trim().min(1, `${name} must not be empty`).optional();

const positiveInt = (name: string, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `${name} must be between 1 and ${max}`)
    .optional();

const instance = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => isOrigin(v.replace(/\/$/, '') + '/', ['https:']), `${name} must be an https origin such as https://login.microsoftonline.com (no path)`)
    .optional();

const tenant = (name: string) =>
  z
    .string()
    .trim()
    .refine(
      (v) => GUID.test(v) || DOMAIN.test(v) || v === 'common' || v === 'organizations',
      `${name} must be a tenant GUID, a verified domain (contoso.onmicrosoft.com), "common" or "organizations"`,
    )
    .optional();

const clientId = (name: string) => z.string().trim().regex(GUID, `${name} must be a GUID (the application (client) id)`).optional();

export const WEB_ENV_SCHEMA = z.object({
  // The Azure SDK's names, as entrakit/web reads them.
  AZURE_AUTHORITY_HOST: instance('AZURE_AUTHORITY_HOST'),
  AZURE_TENANT_ID: tenant('AZURE_TENANT_ID'),
  AZURE_CLIENT_ID: clientId('AZURE_CLIENT_ID'),
  AZURE_CLIENT_SECRET: optionalText('AZURE_CLIENT_SECRET'),
  AZURE_CLIENT_CERTIFICATE_PATH: optionalText('AZURE_CLIENT_CERTIFICATE_PATH'),
  // Older names of the same settings (config/older-names.ts), still read.
  ENTRA_INSTANCE: instance('ENTRA_INSTANCE'),
  ENTRA_TENANT_ID: tenant('ENTRA_TENANT_ID'),
  ENTRA_CLIENT_ID: clientId('ENTRA_CLIENT_ID'),
  ENTRA_CLIENT_SECRET: optionalText('ENTRA_CLIENT_SECRET'),
  ENTRA_CLIENT_CERTIFICATE_FILE: optionalText('ENTRA_CLIENT_CERTIFICATE_FILE'),
  ENTRA_CLIENT_CERTIFICATE_KEY_FILE: optionalText('ENTRA_CLIENT_CERTIFICATE_KEY_FILE'),
  ENTRA_ALLOWED_TENANTS: z
    .string()
    .trim()
    .transform((v) => v.split(',').map((t) => t.trim()).filter((t) => t !== ''))
    .refine((list) => list.length > 0 && list.every((t) => GUID.test(t)), 'ENTRA_ALLOWED_TENANTS must be a comma-separated list of tenant GUIDs')
    .optional(),
  ENTRA_CA_FILE: optionalText('ENTRA_CA_FILE'),
  WEB_BASE_URL: z
    .string()
    .trim()
    .refine((v) => isOrigin(v.replace(/\/$/, '') + '/', ['http:', 'https:']), 'WEB_BASE_URL must be an http(s) origin such as http://localhost:5000 (no path)')
    .optional(),
  PORT: z
    .string()
    .trim()
    .regex(/^\d+$/, 'PORT must be a whole number')
    .transform(Number)
    .refine((n) => n >= 0 && n <= 65_535, 'PORT must be between 0 and 65535')
    .optional(),
  HOST: optionalText('HOST'),
  // Read only to say it is no longer used (config.ts): any value starts.
  SESSION_SECRET: z.string().optional(),
  TOKEN_CACHE_KEY: z
    .string()
    .trim()
    .refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, 'TOKEN_CACHE_KEY must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)')
    .optional(),
  ENTRAKIT_DATA: optionalText('ENTRAKIT_DATA'),
  STORE_URL: z
    .string()
    .trim()
    .refine((v) => /^(sqlite:.+|redis:\/\/.+|rediss:\/\/.+|memory:)$/.test(v), 'STORE_URL must be sqlite:<path>, redis://host:port, rediss://host:port or memory:')
    .optional(),
  API_URL: z
    .string()
    .trim()
    // The app sends the user's API token there: https, or plain http to this machine only (entra.fetch's rule).
    .refine(httpsOrLoopbackUrl, 'API_URL must be an https URL, or http to localhost, 127.0.0.1 or [::1], such as http://localhost:5001')
    .optional(),
  API_SCOPE: z.string().trim().regex(/^\S+\/\S+$/, 'API_SCOPE must be a scope such as api://<api-client-id>/user_impersonation').optional(),
  SESSION_IDLE_MINUTES: positiveInt('SESSION_IDLE_MINUTES', 7 * 24 * 60),
  SESSION_ABSOLUTE_HOURS: positiveInt('SESSION_ABSOLUTE_HOURS', 90 * 24),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent').optional(),
});

export type WebEnv = z.infer<typeof WEB_ENV_SCHEMA>;

/** Every variable the schema knows, for the unknown-variable warning. */
export const KNOWN_WEB_VARIABLES: ReadonlySet<string> = new Set(Object.keys(WEB_ENV_SCHEMA.shape));

