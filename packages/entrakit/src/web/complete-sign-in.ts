/**
 * The callback. Order matters: this browser's transaction and the exact state are checked before
 * any token call; the ID token is validated by entrakit's validator before anything is stored;
 * only then is a new session (a new id) created. A redemption that fails on a timeout or a 5xx
 * sends the browser once more through a silent sign-in (prompt=none) before any error page: the
 * identity provider may have answered too late, and its SSO session makes the retry invisible.
 */
import type { AuthenticationResult } from '@azure/msal-node';
import { AuthError, ServerError } from '@azure/msal-node';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { EntrakitError, isEntrakitError } from '../core/errors.ts';
import { timingSafeStringEqual } from '../core/secrets.ts';
import { validateIdToken } from '../core/tokens/validate-id-token.ts';
import type { JsonObject } from '../store/json.ts';
import { isPlainObject } from '../store/json.ts';
import type { LoadedSession, WebCore } from './core.ts';
import { redirect } from './core.ts';
import { serializeCookie } from './cookies.ts';
import { randomToken } from './random.ts';
import { redemptionError } from './redemption-error.ts';
import { safeReturnTo } from './return-to.ts';
import { endSessionByReference } from './session-end.ts';
import type { SignInTransaction } from './sign-in-transaction.ts';
import { startSignIn } from './start-sign-in.ts';
import type { SessionData } from './web-stores.ts';

function signInError(code: 'SIGNIN_TRANSACTION_MISSING' | 'SIGNIN_TRANSACTION_NOT_FOUND' | 'SIGNIN_STATE_MISSING' | 'SIGNIN_STATE_MISMATCH' | 'SIGNIN_CODE_MISSING', message: string): EntrakitError {
  return new EntrakitError(code, message);
}

/** Errors worth one silent retry: the identity provider was slow, down or overloaded, not refusing. */
function isTransient(error: unknown): boolean {
  if (isEntrakitError(error, 'IDP_UNREACHABLE')) return true;
  if (error instanceof ServerError) return (error.status ?? 0) >= 500 || ['server_error', 'temporarily_unavailable', 'service_unavailable'].includes(error.errorCode);
  // MSAL wraps a failed network call as its own network_error.
  return error instanceof AuthError && /network/i.test(error.errorCode) && !(error instanceof ServerError);
}

export async function completeSignIn(core: WebCore, request: Request, current: LoadedSession | undefined): Promise<Response> {
  const query = new URL(request.url).searchParams;
  const cookieHeader = request.headers.get('cookie');
  const state = query.get('state');
  if (!state) throw signInError('SIGNIN_STATE_MISSING', 'The response has no state parameter');
  const { result, setCookie } = await core.transactions.take(cookieHeader, state);
  if (result === 'missing') throw signInError('SIGNIN_TRANSACTION_MISSING', 'No sign-in transaction cookie in this browser');
  if (result === 'mismatch') throw signInError('SIGNIN_STATE_MISMATCH', 'The response state does not match a sign-in of this browser');
  if (result === 'not-found') throw signInError('SIGNIN_TRANSACTION_NOT_FOUND', 'The sign-in transaction was already used or has expired');
  const transaction = result;
  if (!timingSafeStringEqual(state, transaction.state)) throw signInError('SIGNIN_STATE_MISMATCH', 'The response state does not match this sign-in');
  const correlationId = transaction.correlationId ?? randomUUID();
  try {
    return await redeemAndStart(core, query, cookieHeader, current, transaction, correlationId, setCookie);
  } catch (error) {
    // The 'sign-in-failed' event names the sign-in this failure ended.
    if (typeof error === 'object' && error !== null) failedSignIns.set(error, correlationId);
    throw error;
  }
}

const failedSignIns = new WeakMap<object, string>();

/** The correlation id of the sign-in an error thrown by completeSignIn ended, when it was known. */
export function failedSignInCorrelationId(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? failedSignIns.get(error) : undefined;
}

async function redeemAndStart(
  core: WebCore,
  query: URLSearchParams,
  cookieHeader: string | null,
  current: LoadedSession | undefined,
  transaction: SignInTransaction,
  correlationId: string,
  setCookie: string[],
): Promise<Response> {
  const idpError = query.get('error');
  if (idpError) {
    throw new EntrakitError('SIGNIN_IDP_ERROR', `The identity provider returned "${idpError.slice(0, 64)}"`, {
      details: { error: idpError.slice(0, 64), errorDescription: (query.get('error_description') ?? idpError).slice(0, 1000), returnTo: transaction.returnTo },
    });
  }
  const code = query.get('code');
  if (!code) throw signInError('SIGNIN_CODE_MISSING', 'The response has neither a code nor an error');

  const { client, pendingCache } = await core.msal.forSignIn();
  let redeemed: AuthenticationResult;
  try {
    redeemed = await client.acquireTokenByCode({
      code,
      scopes: transaction.scopes,
      redirectUri: core.settings.redirectUri,
      codeVerifier: transaction.verifier,
      nonce: transaction.nonce,
      correlationId,
      ...(transaction.claims ? { claims: transaction.claims } : {}),
    });
  } catch (error) {
    if (isTransient(error) && !transaction.silentRetry) {
      core.events.emit('sign-in-retried', { state: transaction.state, correlationId, reason: isEntrakitError(error) ? error.code : error instanceof AuthError ? error.errorCode : 'unknown' });
      const retry = await startSignIn(core, cookieHeader, { returnTo: transaction.returnTo, scopes: transaction.scopes, prompt: 'none', ...(transaction.claims ? { claims: transaction.claims } : {}) });
      for (const line of setCookie) retry.headers.append('set-cookie', line);
      return retry;
    }
    throw redemptionError(error);
  }

  const metadata = await core.provider.metadata();
  const validated = await validateIdToken(redeemed.idToken, {
    keySet: await core.provider.keySet(),
    issuer: metadata.issuer,
    clientId: core.settings.clientId,
    nonce: transaction.nonce,
    ...(core.settings.allowedTenants ? { allowedTenants: core.settings.allowedTenants } : {}),
    clock: core.settings.clock,
  });
  const pending = pendingCache();
  const homeAccountId = redeemed.account?.homeAccountId;
  if (!pending || !homeAccountId || pending.partitionKey !== homeAccountId) {
    throw new EntrakitError('SIGNIN_CODE_REDEMPTION_FAILED', 'MSAL produced no account for the redeemed code');
  }
  core.events.emit('code-redeemed', { state: transaction.state, correlationId, homeAccountId });
  const claims = validated.claims as JsonObject;
  const { header, checks } = validated;
  const app = core.settings.onSignIn ? await core.settings.onSignIn({ claims, homeAccountId, header, checks, correlationId }) : undefined;
  // Contexts asked for with this sign-in count too: the token endpoint refuses a redemption whose
  // claims request was not satisfied, so a redeemed code means they were (opaque tokens carry no acrs).
  const acrs = [...new Set([...acrsOf(claims), ...acrsOf(readAccessTokenClaims(redeemed.accessToken)), ...requestedAcrs(transaction.claims)])];
  return startSession(core, transaction, { claims, acrs, header: header as Record<string, unknown>, checks, correlationId }, homeAccountId, pending.serialized, app, current, setCookie);
}

function acrsOf(claims: Record<string, unknown> | undefined): string[] {
  const acrs = claims?.['acrs'];
  return Array.isArray(acrs) ? acrs.filter((item): item is string => typeof item === 'string' && /^c\d{1,2}$/.test(item)) : [];
}

function requestedAcrs(claimsRequest: string | undefined): string[] {
  if (claimsRequest === undefined) return [];
  try {
    const acrs = (JSON.parse(claimsRequest) as { access_token?: { acrs?: { essential?: unknown; value?: unknown; values?: unknown } } }).access_token?.acrs;
    if (acrs?.essential !== true) return [];
    return acrsOf({ acrs: typeof acrs.value === 'string' ? [acrs.value] : acrs.values });
  } catch {
    return [];
  }
}

/**
 * The claims of the access token just received from the token endpoint (over TLS, with the app's
 * credential), read only for the authentication contexts it carries; an opaque token gives none.
 */
function readAccessTokenClaims(token: string | undefined): Record<string, unknown> | undefined {
  try {
    return token ? decodeJwt(token) : undefined;
  } catch {
    return undefined;
  }
}

async function startSession(
  core: WebCore,
  transaction: SignInTransaction,
  { claims, acrs, header, checks, correlationId }: { claims: JsonObject; acrs: string[]; header: Record<string, unknown>; checks: Array<{ name: string; passed: boolean; detail: string }>; correlationId: string },
  homeAccountId: string,
  serializedCache: string,
  app: unknown,
  previous: LoadedSession | undefined,
  setCookie: string[],
): Promise<Response> {
  const { stores } = core;
  // Never reuse a pre-sign-in session id (fixation): a new one is always issued. Another user's
  // session ends here; the same user's stays to its timeouts, because with several tabs signing in
  // at once another tab may still be sending that cookie.
  if (previous && (previous.data.oid !== String(claims['oid'] ?? '') || previous.data.tid !== String(claims['tid']))) {
    const reference = stores.sessions.reference(previous.id);
    if (reference) await endSessionByReference(core, reference, previous.data.homeAccountId);
  }
  const data: SessionData = {
    homeAccountId,
    tid: String(claims['tid']),
    oid: String(claims['oid'] ?? ''),
    sid: typeof claims['sid'] === 'string' ? claims['sid'] : null,
    csrf: randomToken(),
    signedInAt: core.settings.clock(),
    claims,
    app: isPlainObject(app) ? (app as JsonObject) : null,
    acrs,
    groups: null,
    scopes: transaction.scopes,
  };
  const { id } = await stores.sessions.create(data);
  const reference = stores.sessions.reference(id) as string;
  // Indexed before the tokens are written: a sign-out ending the user's last other session at this
  // moment either sees this session (and keeps the cache) or deletes before this write.
  await stores.accountSessions.add(homeAccountId, reference);
  await stores.tokenCache.set(homeAccountId, serializedCache);
  if (data.sid) await stores.sidSessions.add(data.sid, reference);
  const returnTo = safeReturnTo(transaction.returnTo);
  core.events.emit('signed-in', { correlationId, tid: data.tid, oid: data.oid, sid: data.sid, returnTo, claims, header, checks });
  return redirect(returnTo, [...setCookie, serializeCookie(core.cookies, core.sessionCookie, id, core.settings.absoluteTimeoutMs / 1000)]);
}
