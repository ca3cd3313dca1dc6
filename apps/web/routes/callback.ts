import type { AuthenticationResult } from '@azure/msal-node';
import type { Hono } from 'hono';
import { EntrakitError } from 'entrakit';
import { validateIdToken } from 'entrakit';
import type { IdTokenValidationResult } from 'entrakit';
import { callbackSteps, sessionStartSteps } from '../trace/callback-steps.ts';
import { identityProviderSteps } from '../trace/identity-provider-steps.ts';
import type { TraceStep } from 'entrakit/internal';
import type { JsonObject } from 'entrakit/store';
import { redemptionError, safeReturnTo } from 'entrakit/web';
import { endAppSession } from '../auth/end-session.ts';
import { timingSafeStringEqual } from 'entrakit/internal';
import { randomToken, takeTransaction } from '../auth/sign-in-transaction.ts';
import type { AppEnv, WebContext, WebDeps } from '../context.ts';
import { readCookie, writeCookie } from '../middleware/cookies.ts';
import { signInCorrelationId } from '../idp/correlation.ts';
import { judgeSignIn, verdictStep } from '../idp/sign-in-verdict.ts';
import type { SignInTransaction, WebSessionData } from '../stores.ts';

function signInError(code: string, message: string, details?: Record<string, unknown>): EntrakitError {
  return new EntrakitError(code, message, { status: 400, ...(details ? { details } : {}) });
}

/**
 * GET /auth/callback: the redirect back from the identity provider. Order matters: the browser's
 * transaction and the exact state are checked before any token call; the ID token is validated by
 * our code before anything is stored; only then is a new session (new id) created.
 */
export function callbackRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/auth/callback', async function completeSignIn(c) {
    const query = c.req.query();
    const state = query['state'];
    if (readCookie(c, deps.cookies.transaction) === undefined) throw signInError('SIGNIN_TRANSACTION_MISSING', 'No sign-in transaction cookie in this browser');
    if (!state) throw signInError('SIGNIN_STATE_MISSING', 'The response has no state parameter');
    // The state names the transaction: a response for another sign-in (or forged) finds none of this browser's.
    const transaction = await takeTransaction(c, deps, state);
    if (transaction === 'missing') throw signInError('SIGNIN_TRANSACTION_MISSING', 'No sign-in transaction cookie in this browser');
    if (transaction === 'mismatch') throw signInError('SIGNIN_STATE_MISMATCH', 'The response state does not match a sign-in of this browser');
    if (transaction === 'not-found') throw signInError('SIGNIN_TRANSACTION_NOT_FOUND', 'The sign-in transaction was already used or has expired');
    if (!timingSafeStringEqual(state, transaction.state)) throw signInError('SIGNIN_STATE_MISMATCH', 'The response state does not match this sign-in');
    if (query['error']) {
      throw signInError('SIGNIN_IDP_ERROR', `The identity provider returned "${query['error'].slice(0, 64)}"`, {
        error: query['error'].slice(0, 64),
        errorDescription: (query['error_description'] ?? query['error']).slice(0, 1000),
        // A declined consent leads back to the page the user wanted (the error page links it).
        returnTo: transaction.returnTo,
      });
    }
    const code = query['code'];
    if (!code) throw signInError('SIGNIN_CODE_MISSING', 'The response has neither a code nor an error');

    const steps = JSON.parse(transaction.steps) as TraceStep[];
    steps.push(...(await identityProviderSteps(deps, signInCorrelationId(state))), ...callbackSteps(deps.clock(), code, state));
    const { client, pendingCache } = await deps.msal.forSignIn((step) => steps.push(step));
    let result: AuthenticationResult;
    try {
      result = await client.acquireTokenByCode({
        code,
        scopes: transaction.scopes,
        redirectUri: deps.config.redirectUri,
        codeVerifier: transaction.verifier,
        nonce: transaction.nonce,
        correlationId: signInCorrelationId(transaction.state),
        ...(transaction.claims ? { claims: transaction.claims } : {}),
      });
    } catch (error) {
      throw redemptionError(error);
    }

    const metadata = await deps.provider.metadata();
    const validated = await validateIdToken(result.idToken, {
      keySet: await deps.provider.keySet(),
      issuer: metadata.issuer,
      clientId: deps.config.clientId,
      nonce: transaction.nonce,
      ...(deps.config.allowedTenants ? { allowedTenants: deps.config.allowedTenants } : {}),
      clock: deps.clock,
    });

    // The ID token is valid: now, and only now, keep the tokens (encrypted) and create the session.
    const pending = pendingCache();
    const homeAccountId = result.account?.homeAccountId;
    if (!pending || !homeAccountId || pending.partitionKey !== homeAccountId) {
      throw new EntrakitError('SIGNIN_CODE_REDEMPTION_FAILED', 'MSAL produced no account for the redeemed code', { status: 502 });
    }
    return startSession(c, deps, transaction, validated, { homeAccountId, serializedCache: pending.serialized }, steps);
  });
}

async function startSession(
  c: WebContext,
  deps: WebDeps,
  transaction: SignInTransaction,
  validated: IdTokenValidationResult,
  tokens: { homeAccountId: string; serializedCache: string },
  steps: TraceStep[],
): Promise<Response> {
  const { claims } = validated;
  const { homeAccountId } = tokens;
  const now = deps.clock();
  const previous = c.get('session');
  // Never reuse the pre-sign-in session id (fixation): the old one ends (its user's tokens with it
  // when it was their last session), a new one is issued.
  if (previous) await endAppSession(deps, previous, 'replaced');
  const { user, changedClaims } = await deps.stores.users.upsertFromClaims(claims);

  steps.push(...sessionStartSteps({ now, later: deps.clock(), validated, nonceSent: transaction.nonce, returnTo: transaction.returnTo, cookies: deps.cookies }));
  // Password or SSO: said plainly in the trace and on /sessions.
  const correlationId = signInCorrelationId(transaction.state);
  steps.push(verdictStep(await judgeSignIn(deps, { startedAt: transaction.createdAt, claims: claims as JsonObject, correlationId })));
  const traceId = await deps.stores.traces.save({ startedAt: transaction.createdAt, steps });

  const data: WebSessionData = {
    homeAccountId,
    tid: String(claims['tid']),
    oid: String(claims['oid'] ?? ''),
    sid: typeof claims['sid'] === 'string' ? claims['sid'] : null,
    name: user.name,
    username: user.username,
    csrf: randomToken(),
    signedInAt: now,
    traceId,
    correlationId,
    idToken: {
      header: { alg: String(validated.header.alg), kid: String(validated.header.kid ?? ''), typ: String(validated.header.typ ?? '') },
      claims: claims as JsonObject,
      checks: validated.checks.map((check) => ({ name: check.name, detail: check.detail })),
    },
    signInCount: user.signInCount,
    changedClaims,
    scopes: transaction.scopes,
  };
  const { id } = await deps.stores.sessions.create(data);
  const reference = deps.stores.sessions.reference(id) as string;
  // Indexed before the tokens are written: a sign-out ending the user's last other session at this
  // moment either sees this session (and keeps the cache) or deletes before this write.
  await deps.stores.accountSessions.add(homeAccountId, reference);
  await deps.stores.tokenCache.set(homeAccountId, tokens.serializedCache);
  if (data.sid) await deps.stores.sidIndex.add(data.sid, reference);
  writeCookie(c, deps.cookies, deps.cookies.session, id, deps.config.sessionAbsoluteMs / 1000);
  deps.logger.info({ event: 'sign-in.complete', tid: data.tid, oid: data.oid, signInCount: user.signInCount }, 'signed in');
  // Checked again on the way out: the stored value is only ever what safeReturnTo allowed.
  return c.redirect(safeReturnTo(transaction.returnTo), 302);
}

