/**
 * "Revoke my sessions" on the Sessions page: Graph's revokeSignInSessions for the signed-in user,
 * then the next Graph call made the way every page makes it, so the page can show Continuous Access
 * Evaluation at work: Graph refuses the CP1 token issued before the revocation with a claims
 * challenge, MSAL's refresh with those claims is refused too (the refresh token was revoked), and
 * the user signs in again with the claims. What happened is kept for the user briefly (the sign-in
 * that follows makes a new app session) and shown once on /sessions.
 */
import { Buffer } from 'node:buffer';
import { EntrakitError, isEntrakitError } from 'entrakit';
import type { LoadedSession, WebContext, WebDeps } from '../context.ts';
import { userGraph } from './user-graph.ts';

/** Graph's delegated permission for revoking one's own sessions (admin consent in Entra). */
export const REVOKE_SCOPE = 'User.RevokeSessions.All';
const RECORD_TTL_MS = 10 * 60_000;
const RETURN_TO = '/sessions?revoked=1';
const recordKey = (tid: string, oid: string) => `web:revocation:${encodeURIComponent(tid)}.${encodeURIComponent(oid)}`;

export interface RevocationStep {
  title: string;
  status?: number;
  detail: string;
}

export interface RevocationRecord {
  at: number;
  steps: RevocationStep[];
}

/** Runs the revocation and the next Graph call (entra.graph); answers where the browser goes next. */
export async function revokeMySessions(deps: Pick<WebDeps, 'entra' | 'stores' | 'clock'>, c: WebContext, session: LoadedSession): Promise<Response> {
  const steps: RevocationStep[] = [];
  const revoked = await userGraph(deps, c, '/me/revokeSignInSessions', { scopes: [REVOKE_SCOPE], method: 'POST' });
  await revoked.body?.cancel().catch(() => undefined);
  if (!revoked.ok) throw new EntrakitError('GRAPH_REQUEST_FAILED', `Microsoft Graph answered HTTP ${revoked.status} to revokeSignInSessions`, { status: 502, details: { status: revoked.status } });
  steps.push({ title: 'POST /me/revokeSignInSessions', status: revoked.status, detail: `With a token for ${REVOKE_SCOPE}. Every refresh token and session issued to you before now is revoked.` });

  const record = async () => deps.stores.kv.set(recordKey(session.data.tid, session.data.oid), JSON.stringify({ at: deps.clock(), steps } satisfies RevocationRecord), RECORD_TTL_MS);
  // The next Graph call, made the way every page makes it: with the token cached for the profile page.
  let stepUp: EntrakitError;
  // Whether Graph challenged this user's token and a refresh with the claims satisfied it: the
  // library says so in its event (for this account only), so the page tells the two cases apart.
  let silentlySatisfied: string | undefined;
  const stopListening = deps.entra.on('claims-challenge', (event) => {
    if (event.homeAccountId === session.data.homeAccountId && event.resolved === 'silently') silentlySatisfied = event.claims;
  });
  try {
    const me = await userGraph(deps, c, '/me');
    await me.body?.cancel().catch(() => undefined);
    if (silentlySatisfied === undefined) {
      steps.push({ title: 'GET /me with the cached token', status: me.status, detail: 'Graph accepted the token issued before the revocation: it is not a CAE token, so it stays valid until it expires.' });
    } else {
      steps.push({ title: 'GET /me with the cached token', status: 401, detail: `Graph refused the token issued before the revocation: WWW-Authenticate: Bearer error="insufficient_claims" (claims: ${silentlySatisfied}).` });
      steps.push({ title: 'MSAL refresh with the claims', detail: `A new token satisfied the claims without the user; Graph answered it ${me.status}.` });
    }
    await record();
    return c.redirect(RETURN_TO, 302);
  } catch (error) {
    if (!isEntrakitError(error, 'STEP_UP_REQUIRED')) throw error;
    stepUp = error;
  } finally {
    stopListening();
  }
  const claims = String(stepUp.details?.['claims']);
  steps.push({
    title: 'GET /me with the cached token',
    status: 401,
    detail: `Graph refused the token issued before the revocation: WWW-Authenticate: Bearer error="insufficient_claims", claims=${Buffer.from(claims).toString('base64')} (decoded: ${claims}). The app declared CP1, so it gets such challenges instead of tokens that stay valid for their whole lifetime.`,
  });
  steps.push(
    stepUp.details?.['reason'] === 'interaction-required'
      ? { title: 'MSAL refresh with the claims', status: 400, detail: 'Refused: the refresh token was issued before the revocation. The user must sign in again, with the claims.' }
      : { title: 'MSAL refresh with the claims', detail: 'A new token was issued, but Graph challenged it again. The user must sign in again, with the claims.' },
  );
  steps.push({ title: 'GET /authorize with the claims', detail: 'The browser is sent to sign in again, the claims request included; the identity provider asks for the password (its session was revoked too), then the app continues here.' });
  await record();
  return deps.entra.stepUp(c, stepUp, { returnTo: RETURN_TO });
}

/** The record of the user's last revocation, taken (shown once). */
export async function takeRevocationRecord(deps: Pick<WebDeps, 'stores'>, tid: string, oid: string): Promise<RevocationRecord | undefined> {
  const text = await deps.stores.kv.take(recordKey(tid, oid));
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as RevocationRecord;
    return Array.isArray(value.steps) ? value : undefined;
  } catch {
    return undefined;
  }
}
