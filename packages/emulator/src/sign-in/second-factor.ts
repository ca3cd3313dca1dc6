import type { Context } from 'hono';
import { AadError } from '../protocol/aad-error.ts';
import { mfaRequired, needsMfa } from '../protocol/claims-request.ts';
import { parseScopes } from '../protocol/scopes.ts';
import { matchTotpStep } from '../mfa/totp.ts';
import { explain } from '../request-log/record-requests.ts';
import { sendErrorPage } from './authorization-response.ts';
import type { AuthorizeRequest } from './authorize-request.ts';
import { ensureBrowserId } from './cookies.ts';
import { createTransaction, saveTransaction, takeTransaction, type LoginTransaction } from './login-transaction.ts';
import { showMfaForm } from './pages.ts';
import type { FlowDeps } from './sign-in-flow.ts';
import { saveSsoSession, type ActiveSession } from './sso-session.ts';

/** Wrong codes one sign-in may try before it ends (Entra locks out after repeated failures too). */
export const MAX_MFA_FAILURES = 5;
/** Wrong codes one user may enter across sign-ins in LOCKOUT_MS before codes are refused: new sign-ins must not reset the count. */
export const MAX_USER_MFA_FAILURES = 10;
const LOCKOUT_MS = 15 * 60_000;
const WRONG_CODE = { code: 500121, text: "You didn't enter the expected verification code. Please try again." };

/**
 * The second factor is due when the session has only a password and either the user's MFA is
 * required at every sign-in or the request asks for an authentication context that requires it.
 */
export function secondFactorDue(deps: FlowDeps, request: AuthorizeRequest, active: ActiveSession): boolean {
  const { session, user } = active;
  if (session.amr.includes('mfa')) return false;
  return deps.directory.stepUp.mfaMethod(user.id)?.required === true || needsMfa(deps.directory, session.tenantId, request.acrs ?? [], session.amr);
}

/** The resource the request is for, as Entra names it in AADSTS50076. */
function resourceOf(deps: FlowDeps, request: AuthorizeRequest, tenantId: string): string {
  try {
    return parseScopes(deps.directory, tenantId, request.scope).resource.appId;
  } catch {
    return request.clientId;
  }
}

/**
 * Shows the code page (the transaction moves to 'mfa'). Silent requests cannot ask: they get
 * interaction_required AADSTS50076 on the redirect URI. A user without a registered method cannot
 * satisfy the policy (Entra would interrupt for registration, AADSTS50079).
 */
export async function askSecondFactor(c: Context, deps: FlowDeps, request: AuthorizeRequest, active: ActiveSession, tx: LoginTransaction | undefined): Promise<Response> {
  const { session, user } = active;
  if (request.prompt === 'none') {
    explain(c, 'prompt=none, but the requested authentication context needs a second factor the SSO session does not have');
    throw mfaRequired(resourceOf(deps, request, session.tenantId), { tokenEndpoint: false });
  }
  if (!deps.directory.stepUp.mfaMethod(user.id)) {
    if (tx) await takeTransaction(deps, tx);
    explain(c, `multi-factor authentication is required but ${user.userPrincipalName} has no second factor registered`);
    return sendErrorPage(
      c,
      deps,
      new AadError(50079, `Due to a configuration change made by your administrator, you must enroll in multi-factor authentication to access '${resourceOf(deps, request, session.tenantId)}'. The emulator has no second factor for this user: give it one (mfa.totpSecret in the tenant file).`),
      403,
    );
  }
  const browserId = ensureBrowserId(c);
  let mfaTx: LoginTransaction;
  if (tx) {
    mfaTx = { ...tx, request, stage: 'mfa', sid: session.sid };
    await saveTransaction(deps, mfaTx);
  } else {
    mfaTx = await createTransaction(deps, request, browserId, 'mfa', session.sid);
  }
  explain(c, 'second factor required: the code page is shown');
  return showMfaForm(c, deps, mfaTx, browserId, user);
}

/**
 * The code from the page. Right: the SSO session now records `mfa` (amr pwd+mfa) and `ok` is
 * returned. Wrong: the page again with Entra's message (OathCodeIncorrect, AADSTS500121); after
 * MAX_MFA_FAILURES the sign-in ends.
 */
export async function checkSecondFactor(c: Context, deps: FlowDeps, tx: LoginTransaction, browserId: string, active: ActiveSession, code: string): Promise<{ ok: ActiveSession } | { page: Response }> {
  const { stepUp } = deps.directory;
  const method = stepUp.mfaMethod(active.user.id);
  const now = deps.clock();
  // Counted before the code is looked at, in one statement: parallel pages cannot check more than the limit.
  if (!stepUp.reserveMfaAttempt(active.user.id, now, MAX_USER_MFA_FAILURES, LOCKOUT_MS)) {
    await takeTransaction(deps, tx);
    explain(c, `second factor locked: ${MAX_USER_MFA_FAILURES} wrong codes for this user in the last ${LOCKOUT_MS / 60_000} minutes`);
    return { page: await sendErrorPage(c, deps, new AadError(500121, 'Authentication failed during strong authentication request: too many wrong verification codes for this account. Wait 15 minutes and sign in again.'), 403) };
  }
  const step = method ? matchTotpStep(method.totpSecret, code.trim(), now) : undefined;
  if (step !== undefined && stepUp.acceptTotpStep(active.user.id, step)) {
    const session = { ...active.session, amr: ['pwd', 'mfa'] };
    await saveSsoSession(deps, session);
    explain(c, 'second factor verified: the session now has amr pwd, mfa');
    return { ok: { session, user: active.user } };
  }
  const failures = (tx.mfaFailures ?? 0) + 1;
  explain(c, step === undefined
    ? `OathCodeIncorrect: the verification code is wrong (attempt ${failures} of ${MAX_MFA_FAILURES})`
    : `OathCodeIncorrect: the verification code was already used; each code is accepted once (attempt ${failures} of ${MAX_MFA_FAILURES})`);
  if (failures >= MAX_MFA_FAILURES) {
    await takeTransaction(deps, tx);
    return { page: await sendErrorPage(c, deps, new AadError(500121, 'Authentication failed during strong authentication request: too many wrong verification codes. Go back to the application and sign in again.'), 403) };
  }
  const next = { ...tx, mfaFailures: failures };
  await saveTransaction(deps, next);
  return { page: await showMfaForm(c, deps, next, browserId, active.user, WRONG_CODE) };
}
