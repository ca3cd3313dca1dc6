/**
 * createWebAuth's settings: the Azure SDK's environment names by default (AZURE_TENANT_ID,
 * AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, AZURE_AUTHORITY_HOST),
 * options over them. Everything is checked once, at construction: a bad value is a TypeError
 * naming the option and its variable, and an unknown option key is refused (a typo must not
 * silently fall back to a default).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { EntrakitError } from '../core/errors.ts';
import type { KeyValueStore } from '../store/types.ts';
import { AUTH_ROUTES } from './core.ts';
import type { AuthRoutes } from './core.ts';
import { safeReturnTo } from './return-to.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|common|organizations)$/i;
const SCOPE = /^[\x21-\x7e]{1,256}$/;
const PATH = /^\/[A-Za-z0-9/_.-]*$/;
/** Each option and the environment variable it falls back to. */
export const SETTING_ENV = {
  tenantId: 'AZURE_TENANT_ID',
  clientId: 'AZURE_CLIENT_ID',
  clientSecret: 'AZURE_CLIENT_SECRET',
  clientCertificatePath: 'AZURE_CLIENT_CERTIFICATE_PATH',
  authorityHost: 'AZURE_AUTHORITY_HOST',
  baseUrl: 'ENTRAKIT_BASE_URL',
  store: 'STORE_URL',
  secret: 'ENTRAKIT_SECRET',
} as const;

export interface SignInInfo {
  /** The validated ID token's claims. */
  claims: Record<string, unknown>;
  homeAccountId: string;
  /** The validated ID token's JOSE header (alg, kid, typ). */
  header: Record<string, unknown>;
  /** What the validator checked (signature, issuer, audience, lifetime, nonce, ...), each with a sentence. */
  checks: Array<{ name: string; passed: boolean; detail: string }>;
  /** The sign-in's client-request-id, as in the identity provider's log and the sign-in's events. */
  correlationId: string;
}

export interface WebAuthOptions {
  /** Directory (tenant) id, a verified domain, `organizations` or `common`. Default: AZURE_TENANT_ID. */
  tenantId?: string;
  /** Application (client) id. Default: AZURE_CLIENT_ID. */
  clientId?: string;
  /** Default: AZURE_CLIENT_SECRET. Give this or clientCertificatePath. */
  clientSecret?: string;
  /** A PEM file holding the certificate and its unencrypted private key. Default: AZURE_CLIENT_CERTIFICATE_PATH. */
  clientCertificatePath?: string;
  /** Default: AZURE_AUTHORITY_HOST, else https://login.microsoftonline.com. */
  authorityHost?: string;
  /** The app's own origin (the callback is baseUrl + callbackPath). Default: ENTRAKIT_BASE_URL, else http://localhost:$PORT (PORT default 5000). */
  baseUrl?: string;
  /** A KeyValueStore from entrakit/store, or a store URL (memory:, sqlite:<path>, redis://). Default: STORE_URL, else memory:. */
  store?: KeyValueStore | string;
  /** 32+ random bytes, base64url: encrypts the token cache and keys the transaction records. Default: ENTRAKIT_SECRET; required for a shared store. */
  secret?: string;
  /** Delegated scopes asked at sign-in (openid, profile, offline_access are always added). Default: ['User.Read']. */
  scopes?: string[];
  /** Where the identity provider returns the browser. Default: /auth/callback. */
  callbackPath?: string;
  /** Paths of the other auth routes, for an app with URLs of its own. Defaults: /auth/sign-in, /auth/sign-out, /auth/sign-out-everywhere, /auth/frontchannel-logout. */
  routes?: Partial<AuthRoutes>;
  /** Renders the page a failed sign-in or sign-out ends on (status, code and message are the error's). Default: a plain page. */
  errorPage?: (error: EntrakitError) => Response | Promise<Response>;
  /** Idle timeout of a session. Default: 1 hour. */
  idleTimeoutMs?: number;
  /** Absolute lifetime of a session. Default: 12 hours. */
  absoluteTimeoutMs?: number;
  /** Tenants whose users may sign in (multi-tenant apps). */
  allowedTenants?: string[];
  /** Where the identity provider sends the browser after "sign out everywhere" (a registered URI). Default: baseUrl + '/'. */
  postLogoutRedirectUri?: string;
  /** Sent as `state` to the end-session endpoint after "sign out everywhere"; the identity provider returns it to postLogoutRedirectUri, so that page can tell the user. */
  signedOutState?: string;
  /** Where the browser goes after signing out of this browser (a path of the app, query allowed, e.g. '/?signedOut=1'). Default: '/'. */
  afterSignOut?: string;
  /** How long a token-endpoint call may take before it counts as failed. Default: 10 s. */
  tokenTimeoutMs?: number;
  /** Runs after the ID token is validated and before the session exists; may return JSON kept in the session (user(req).app). */
  onSignIn?: (info: SignInInfo) => unknown;
  /**
   * Throttled answers to fetch and graph (429, or 503 with Retry-After) are sent again after the
   * Retry-After wait (1 s without one), as Microsoft Graph's guidance asks, at most `maxRetries`
   * times; a wait above `maxWaitMs` is not waited: the caller gets the throttled Response.
   * Defaults: 2 retries, 10 s.
   */
  throttling?: { maxRetries?: number; maxWaitMs?: number };
  fetch?: typeof fetch;
  clock?: () => number;
  /** Waits out a throttled answer's Retry-After; `signal` is the caller's (fetch's `signal`), whose abort ends the wait. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Where the default settings are read from. Default: process.env. */
  env?: Record<string, string | undefined>;
}

export type ClientCredential = { clientSecret: string } | { clientCertificate: { thumbprintSha256: string; privateKey: string; x5c: string } };

export interface WebAuthSettings {
  tenantId: string;
  clientId: string;
  credential: ClientCredential;
  authorityHost: string;
  authority: string;
  discoveryUrl: string;
  baseUrl: string;
  redirectUri: string;
  callbackPath: string;
  routes: AuthRoutes;
  errorPage?: (error: EntrakitError) => Response | Promise<Response>;
  store: KeyValueStore | string;
  /** Derived keys come from it; random per process for a memory store without ENTRAKIT_SECRET. */
  secret: Uint8Array;
  scopes: string[];
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  allowedTenants?: string[];
  postLogoutRedirectUri: string;
  afterSignOut: string;
  signedOutState?: string;
  tokenTimeoutMs: number;
  onSignIn?: (info: SignInInfo) => unknown;
  throttling: { maxRetries: number; maxWaitMs: number };
  fetch: typeof fetch;
  clock: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** An https URL, or plain http to this machine only (development): nothing else may carry a token or a secret. */
export const httpsOrLoopbackUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  } catch {
    return false;
  }
};
const isThrottling = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { maxRetries, maxWaitMs, ...rest } = value as Record<string, unknown>;
  const inRange = (n: unknown, max: number): boolean => n === undefined || (Number.isInteger(n) && (n as number) >= 0 && (n as number) <= max);
  return Object.keys(rest).length === 0 && inRange(maxRetries, 10) && inRange(maxWaitMs, 120_000);
};
const isFunction = (value: unknown): boolean => typeof value === 'function';
const isStore = (value: unknown): boolean => typeof value === 'string' || (typeof value === 'object' && value !== null && typeof (value as KeyValueStore).take === 'function');

const schema = z
  .object({
    tenantId: z.string().regex(TENANT, 'must be a tenant GUID, a verified domain, "organizations" or "common"'),
    clientId: z.string().regex(GUID, 'must be the application (client) id, a GUID'),
    clientSecret: z.string().min(1, 'must not be empty').optional(),
    clientCertificatePath: z.string().min(1, 'must not be empty').optional(),
    authorityHost: z.string().refine((v) => httpsOrLoopbackUrl(v) && new URL(v).pathname === '/', 'must be an https origin such as https://login.microsoftonline.com'),
    baseUrl: z.string().refine((v) => httpsOrLoopbackUrl(v) && new URL(v).pathname === '/', 'must be the app origin: https://host[:port], or http://localhost:PORT in development'),
    store: z.custom<KeyValueStore | string>(isStore, 'must be a KeyValueStore or a store URL (memory:, sqlite:<path>, redis://)'),
    secret: z.string().regex(/^[A-Za-z0-9_-]{43,}$/, 'must be at least 32 random bytes, base64url (e.g. node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))")').optional(),
    scopes: z.array(z.string().regex(SCOPE, 'must be a scope without spaces')).max(50),
    callbackPath: z.string().regex(PATH, 'must be a path starting with /'),
    routes: z
      .object({ signIn: z.string().regex(PATH, 'must be paths starting with /'), signOut: z.string().regex(PATH, 'must be paths starting with /'), signOutEverywhere: z.string().regex(PATH, 'must be paths starting with /'), frontchannelLogout: z.string().regex(PATH, 'must be paths starting with /') })
      .partial()
      .strict()
      .optional(),
    errorPage: z.custom<(error: EntrakitError) => Response>(isFunction, 'must be a function returning a Response').optional(),
    idleTimeoutMs: z.number().int().positive(),
    absoluteTimeoutMs: z.number().int().positive(),
    allowedTenants: z.array(z.string().regex(TENANT, 'must be tenant ids')).min(1).optional(),
    postLogoutRedirectUri: z.string().refine(httpsOrLoopbackUrl, 'must be an https URL (or http://localhost)').optional(),
    signedOutState: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/, 'must be 1 to 128 URL-safe characters').optional(),
    afterSignOut: z.string().refine((value) => safeReturnTo(value) === value, 'must be a path of the app (not under /auth), query allowed').optional(),
    tokenTimeoutMs: z.number().int().min(100).max(120_000),
    onSignIn: z.custom<(info: SignInInfo) => unknown>(isFunction, 'must be a function').optional(),
    throttling: z.custom<{ maxRetries?: number; maxWaitMs?: number }>(isThrottling, 'must be { maxRetries?: 0 to 10, maxWaitMs?: 0 to 120000 }').optional(),
    fetch: z.custom<typeof fetch>(isFunction, 'must be a function').optional(),
    clock: z.custom<() => number>(isFunction, 'must be a function returning milliseconds').optional(),
    sleep: z.custom<(ms: number, signal?: AbortSignal) => Promise<void>>(isFunction, 'must be a function returning a promise').optional(),
    env: z.record(z.string(), z.string().optional()).optional(),
  })
  .strict();

function settingName(key: string): string {
  const variable = (SETTING_ENV as Record<string, string>)[key];
  return variable ? `"${key}" (${variable})` : `"${key}"`;
}

/** Options over the environment, validated; throws TypeError naming the first bad setting. */
export function resolveSettings(options: WebAuthOptions): WebAuthSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError('createWebAuth: "options" must be an object');
  const env = options.env ?? process.env;
  const fromEnv = (key: keyof typeof SETTING_ENV): string | undefined => {
    const value = env[SETTING_ENV[key]];
    return value === undefined || value === '' ? undefined : value;
  };
  const port = env['PORT'] && /^\d{1,5}$/.test(env['PORT']) ? env['PORT'] : '5000';
  const input: Record<string, unknown> = {
    tenantId: fromEnv('tenantId'),
    clientId: fromEnv('clientId'),
    clientSecret: fromEnv('clientSecret'),
    clientCertificatePath: fromEnv('clientCertificatePath'),
    authorityHost: (fromEnv('authorityHost') ?? 'https://login.microsoftonline.com').replace(/\/+$/, '') + '/',
    baseUrl: fromEnv('baseUrl') ?? `http://localhost:${port}`,
    store: fromEnv('store') ?? 'memory:',
    secret: fromEnv('secret'),
    scopes: ['User.Read'],
    callbackPath: '/auth/callback',
    idleTimeoutMs: 60 * 60_000,
    absoluteTimeoutMs: 12 * 60 * 60_000,
    tokenTimeoutMs: 10_000,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  };
  for (const key of ['authorityHost', 'baseUrl'] as const) {
    if (typeof input[key] === 'string') input[key] = (input[key] as string).replace(/\/+$/, '') + '/';
  }
  for (const key of ['tenantId', 'clientId'] as const) {
    if (input[key] === undefined) throw new TypeError(`createWebAuth: ${settingName(key)} is required`);
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') throw new TypeError(`createWebAuth: unknown option "${issue.keys[0]}"`);
    const key = String(issue.path[0] ?? 'options');
    throw new TypeError(`createWebAuth: ${settingName(key)} ${issue.message}`);
  }
  const s = parsed.data;
  const routes: AuthRoutes = { ...AUTH_ROUTES, ...s.routes };
  if (new Set([...Object.values(routes), s.callbackPath]).size !== 5) throw new TypeError('createWebAuth: "routes" and "callbackPath" must be five different paths');
  if (s.absoluteTimeoutMs < s.idleTimeoutMs) throw new TypeError('createWebAuth: "absoluteTimeoutMs" must not be shorter than "idleTimeoutMs"');
  const credential = clientCredential(s.clientSecret, s.clientCertificatePath);
  const sharedStore = typeof s.store !== 'string' || s.store !== 'memory:';
  if (s.secret === undefined && sharedStore) {
    throw new TypeError(`createWebAuth: ${settingName('secret')} is required with a persistent or shared store (every instance needs the same key)`);
  }
  const authorityHost = s.authorityHost.replace(/\/$/, '');
  const baseUrl = s.baseUrl.replace(/\/$/, '');
  const authority = `${authorityHost}/${s.tenantId}`;
  return {
    tenantId: s.tenantId,
    clientId: s.clientId,
    credential,
    authorityHost,
    authority,
    discoveryUrl: `${authority}/v2.0/.well-known/openid-configuration`,
    baseUrl,
    callbackPath: s.callbackPath,
    routes,
    ...(s.errorPage ? { errorPage: s.errorPage } : {}),
    redirectUri: baseUrl + s.callbackPath,
    store: s.store,
    secret: s.secret === undefined ? crypto.getRandomValues(new Uint8Array(32)) : Buffer.from(s.secret, 'base64url'),
    scopes: s.scopes,
    idleTimeoutMs: s.idleTimeoutMs,
    absoluteTimeoutMs: s.absoluteTimeoutMs,
    ...(s.allowedTenants ? { allowedTenants: s.allowedTenants } : {}),
    postLogoutRedirectUri: s.postLogoutRedirectUri ?? `${baseUrl}/`,
    afterSignOut: s.afterSignOut ?? '/',
    ...(s.signedOutState ? { signedOutState: s.signedOutState } : {}),
    tokenTimeoutMs: s.tokenTimeoutMs,
    ...(s.onSignIn ? { onSignIn: s.onSignIn } : {}),
    throttling: { maxRetries: s.throttling?.maxRetries ?? 2, maxWaitMs: s.throttling?.maxWaitMs ?? 10_000 },
    fetch: s.fetch ?? globalThis.fetch,
    clock: s.clock ?? Date.now,
    sleep: s.sleep ?? ((ms, signal) => delay(ms, undefined, signal ? { signal } : {})),
  };
}

function clientCredential(secret: string | undefined, certificatePath: string | undefined): ClientCredential {
  if (secret !== undefined && certificatePath !== undefined) {
    throw new TypeError(`createWebAuth: give ${settingName('clientSecret')} or ${settingName('clientCertificatePath')}, not both`);
  }
  if (secret !== undefined) return { clientSecret: secret };
  if (certificatePath === undefined) throw new TypeError(`createWebAuth: ${settingName('clientSecret')} or ${settingName('clientCertificatePath')} is required`);
  let pem: string;
  try {
    pem = readFileSync(certificatePath, 'utf8');
  } catch {
    throw new TypeError(`createWebAuth: ${settingName('clientCertificatePath')} names a file that cannot be read`);
  }
  try {
    const certificate = new X509Certificate(pem);
    // MSAL wants PKCS#8; re-export whatever PEM flavour the file holds.
    const privateKey = createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
    if (!certificate.checkPrivateKey(createPrivateKey(privateKey))) throw new Error('mismatch');
    return { clientCertificate: { thumbprintSha256: certificate.fingerprint256.replaceAll(':', '').toLowerCase(), privateKey, x5c: certificate.toString() } };
  } catch {
    throw new TypeError(`createWebAuth: ${settingName('clientCertificatePath')} must hold a PEM certificate and its matching unencrypted private key`);
  }
}
