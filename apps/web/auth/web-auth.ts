/**
 * The app's sign-in is entrakit/web's createWebAuth, configured from the app's settings. The
 * app adds what only it needs: its URLs (sign-out of this browser or everywhere), its error page,
 * the user-record sync at sign-in, the sign-in trace of its learning pages (built from the
 * library's events) and log lines for what happened.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntrakitError } from 'entrakit';
import { createWebAuth } from 'entrakit/web';
import type { CreatedWebAuth, SignInInfo } from 'entrakit/web';
import type { JsonObject } from 'entrakit/store';
import type { WebConfig } from '../config.ts';
import type { SignInFacts } from '../context.ts';
import type { AppLogger } from '../../shared/logger.ts';
import type { WebStores } from '../stores.ts';
import { createSignInRecorder } from '../trace/sign-in-recorder.ts';
import type { SignInRecorder } from '../trace/sign-in-recorder.ts';

/** Graph's User.Read for the profile page, plus email for the ID token; openid profile offline_access are added. */
export const SIGN_IN_SCOPES = ['User.Read', 'email'];
/** Returned by the identity provider to post_logout_redirect_uri; the home page shows a notice for it. */
export const SIGNED_OUT_STATE = 'signed-out-everywhere';
export const SIGN_OUT_LOCAL_PATH = '/auth/sign-out/local';
export const SIGN_OUT_GLOBAL_PATH = '/auth/sign-out/global';

export interface AppWebAuthOptions {
  config: WebConfig;
  stores: WebStores;
  fetch: typeof fetch;
  clock: () => number;
  /** Waits out a throttled answer's Retry-After; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  logger: AppLogger;
  /** The page a failed sign-in or sign-out ends on. */
  errorPage: (error: EntrakitError) => Response | Promise<Response>;
}

export function createAppWebAuth(options: AppWebAuthOptions): CreatedWebAuth {
  const { config, stores, logger } = options;
  // Set once the library exists: onSignIn runs only after a callback, long after construction.
  const trace: { recorder?: SignInRecorder } = {};
  const entra = createWebAuth({
    tenantId: config.tenantId,
    clientId: config.clientId,
    ...credentialOption(config),
    authorityHost: new URL(config.instance).origin + '/',
    baseUrl: new URL(config.baseUrl).origin + '/',
    store: stores.kv,
    // The token cache and the transaction records are keyed from it; every instance shares it.
    secret: Buffer.from(config.tokenCacheKey).toString('base64url'),
    scopes: SIGN_IN_SCOPES,
    routes: { signOut: SIGN_OUT_LOCAL_PATH, signOutEverywhere: SIGN_OUT_GLOBAL_PATH },
    errorPage: options.errorPage,
    idleTimeoutMs: config.sessionIdleMs,
    absoluteTimeoutMs: config.sessionAbsoluteMs,
    ...(config.allowedTenants ? { allowedTenants: config.allowedTenants } : {}),
    postLogoutRedirectUri: config.postLogoutRedirectUri,
    signedOutState: SIGNED_OUT_STATE,
    afterSignOut: '/?signedOut=local',
    async onSignIn(info: SignInInfo): Promise<SignInFacts> {
      const { user, changedClaims } = await stores.users.upsertFromClaims(info.claims as JsonObject);
      const traceId = (await trace.recorder?.complete(info)) ?? '';
      return {
        signInCount: user.signInCount,
        changedClaims,
        correlationId: info.correlationId,
        homeAccountId: info.homeAccountId,
        traceId,
        header: { alg: String(info.header['alg']), kid: String(info.header['kid'] ?? ''), typ: String(info.header['typ'] ?? '') },
        checks: info.checks.map((check) => ({ name: check.name, detail: check.detail })),
      };
    },
    fetch: options.fetch,
    clock: options.clock,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    env: {},
  });
  trace.recorder = createSignInRecorder({ entra, config, stores, fetch: options.fetch, clock: options.clock });
  entra.on('signed-in', (event) => logger.info({ event: 'sign-in.complete', tid: event.tid, oid: event.oid, correlationId: event.correlationId }, 'signed in'));
  entra.on('sign-in-failed', (event) => logger.warn({ event: 'sign-in.refused', errorCode: event.code, correlationId: event.correlationId }, 'sign-in refused'));
  entra.on('sign-in-retried', (event) => logger.warn({ event: 'sign-in.retried', reason: event.reason, correlationId: event.correlationId }, 'code redemption failed; trying a silent sign-in once more'));
  entra.on('token-refreshed', (event) => logger.info({ event: 'token.refreshed', scopes: event.scopes, withClaims: event.withClaims, correlationId: event.correlationId }, 'access token refreshed'));
  entra.on('request-throttled', (event) => logger.warn({ event: 'request.throttled', url: event.url, status: event.status, waitMs: event.waitMs, retry: event.retry }, 'throttled; retrying after Retry-After'));
  entra.on('claims-challenge', (event) => logger.info({ event: 'claims-challenge', resource: event.resource, resolved: event.resolved }, 'claims challenge'));
  entra.on('signed-out', (event) => logger.info({ event: 'sign-out', scope: event.scope, sessions: event.sessions }, 'signed out'));
  entra.on('token-cache-discarded', (event) => logger.warn({ event: 'token-cache.discarded', reason: event.reason, storedKeyId: event.storedKeyId, keyId: event.keyId }, "a user's token cache could not be opened with this key and was dropped"));
  return entra;
}

/**
 * The library reads a certificate credential from one PEM file holding the certificate and its
 * key, as AZURE_CLIENT_CERTIFICATE_PATH names it. The older settings may name two files: then one
 * combined file is written next to the app's other secrets, readable by the owner only.
 */
function credentialOption(config: WebConfig): { clientSecret: string } | { clientCertificatePath: string } {
  const { credential } = config;
  if (credential.kind === 'secret') return { clientSecret: credential.secret };
  if (credential.keyFile === credential.certificateFile) return { clientCertificatePath: credential.certificateFile };
  const dir = join(config.dataDir, 'web');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'client-certificate.pem');
  writeFileSync(path, `${credential.privateKeyPem.trim()}\n${credential.x5c.trim()}\n`, { mode: 0o600 });
  return { clientCertificatePath: path };
}
