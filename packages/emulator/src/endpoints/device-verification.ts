import type { Context, Hono } from 'hono';
import { AadError } from '../protocol/aad-error.ts';
import { explain, noteUser } from '../request-log/record-requests.ts';
import { sendErrorPage } from '../sign-in/authorization-response.ts';
import type { AuthorizeRequest } from '../sign-in/authorize-request.ts';
import { consentPlan, grantConsent } from '../sign-in/consent-plan.ts';
import { ensureBrowserId, readBrowserId, setSsoCookie } from '../sign-in/cookies.ts';
import { loadById, loadByUserCode, saveDeviceAuthorization, type DeviceAuthorization } from '../sign-in/device-authorization.ts';
import { createDeviceTransaction, endDeviceTransaction, loadDeviceTransaction, saveDeviceTransaction, type DeviceTransaction } from '../sign-in/device-transaction.ts';
import { csrfToken, verifyCsrfToken } from '../sign-in/login-transaction.ts';
import { readRequestParams, singleParam } from '../sign-in/request-params.ts';
import type { FlowDeps } from '../sign-in/sign-in-flow.ts';
import { mac } from '../sign-in/signing.ts';
import { currentSession, saveSsoSession, startSsoSession, withClient, type ActiveSession } from '../sign-in/sso-session.ts';
import { timingSafeStringEqual } from 'entrakit/internal';
import { consentPage } from '../views/consent-page.ts';
import { deviceConfirmPage, deviceResultPage, enterCodePage } from '../views/device-code-pages.ts';
import { loginPage } from '../views/login-page.ts';
import { accountHints } from '../sign-in/account-hints.ts';
import { newNonce, sendPage, type View } from '../views/respond.ts';

const BAD_CREDENTIALS = { code: 50126, text: "Your account or password is incorrect. If you don't remember your password, ask the administrator of the emulator (see dev.json)." };
const DISABLED = { code: 50057, text: 'Your account has been disabled. Contact your administrator.' };
const UNKNOWN_CODE = { code: 70018, text: "That code didn't work. Check the code and try again." };
const EXPIRED_CODE = { code: 70019, text: 'That code has expired. Go back to your app or device and start again to get a new code.' };

function show(c: Context, view: (nonce: string) => View, status: 200 | 400 | 403 = 200): Promise<Response> {
  const nonce = newNonce();
  return sendPage(c, view(nonce), status, { nonce });
}

const codeFormCsrf = (deps: FlowDeps, browserId: string) => mac(deps.cookieSecret, 'device-code-form', browserId);

function appName(deps: FlowDeps, record: DeviceAuthorization): string {
  return deps.directory.findApplicationByClientId(record.clientId)?.app.displayName ?? record.clientId;
}

/** The SSO session when it may sign this device in (its user belongs to the tenant the device asked for). */
async function usableSession(c: Context, deps: FlowDeps, record: DeviceAuthorization): Promise<ActiveSession | undefined> {
  const active = await currentSession(c, deps);
  return active && (record.tenantId === null || active.session.tenantId === record.tenantId) ? active : undefined;
}

function binding(c: Context, deps: FlowDeps, tx: DeviceTransaction, browserId: string) {
  return { action: deviceAuthPath(c), txId: tx.id, csrf: csrfToken(deps.cookieSecret, tx.id, browserId) };
}

function deviceAuthPath(c: Context): string {
  return `/${encodeURIComponent(c.req.param('tenant') ?? 'common')}/oauth2/deviceauth`;
}

function showLogin(c: Context, deps: FlowDeps, tx: DeviceTransaction, browserId: string, record: DeviceAuthorization, options: { username?: string; error?: { code: number; text: string } } = {}): Promise<Response> {
  const accounts = accountHints(deps.directory, record.tenantId, record.clientId);
  return show(c, (nonce) => loginPage({ ...binding(c, deps, tx, browserId), appName: appName(deps, record), accounts, ...options }, nonce));
}

function showConfirm(c: Context, deps: FlowDeps, tx: DeviceTransaction, browserId: string, record: DeviceAuthorization, active: ActiveSession): Promise<Response> {
  const account = { displayName: active.user.displayName, username: active.user.userPrincipalName };
  return show(c, (nonce) => deviceConfirmPage({ ...binding(c, deps, tx, browserId), appName: appName(deps, record), account }, nonce));
}

/** consentPlan reads only clientId, scope and prompt of the request: the device's are those. */
function planFor(deps: FlowDeps, record: DeviceAuthorization, active: ActiveSession) {
  return consentPlan(deps.directory, { clientId: record.clientId, scope: record.scope } as AuthorizeRequest, active.session, { askAll: false });
}

async function approve(c: Context, deps: FlowDeps, tx: DeviceTransaction, record: DeviceAuthorization, active: ActiveSession): Promise<Response> {
  const { session, user } = active;
  // Per-user MFA: the device flow has no code page, so it fails closed rather than skip the factor.
  if (deps.directory.stepUp.mfaMethod(user.id)?.required === true && !session.amr.includes('mfa')) {
    await endDeviceTransaction(deps, tx);
    return sendErrorPage(c, deps, new AadError(50076, `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${record.clientId}'. Sign in once in a browser flow (which asks for the code), then enter the device code again.`), 403);
  }
  await saveDeviceAuthorization(deps, { ...record, status: 'approved', userId: user.id, userTenantId: session.tenantId, sid: session.sid, amr: session.amr, authTime: session.authTime });
  await saveSsoSession(deps, withClient(session, { clientId: record.clientId, frontchannelLogoutUri: null }));
  await endDeviceTransaction(deps, tx);
  noteUser(c, user.userPrincipalName);
  explain(c, 'device authorization approved: the next poll gets tokens');
  return show(c, (nonce) => deviceResultPage({ appName: appName(deps, record), result: 'approved' }, nonce));
}

async function decline(c: Context, deps: FlowDeps, tx: DeviceTransaction, record: DeviceAuthorization): Promise<Response> {
  await saveDeviceAuthorization(deps, { ...record, status: 'declined' });
  await endDeviceTransaction(deps, tx);
  explain(c, 'the user declined: polling answers authorization_declined');
  return show(c, (nonce) => deviceResultPage({ appName: appName(deps, record), result: 'declined' }, nonce));
}

/** After sign-in and Continue: consent when something is missing, else approval. */
async function consentOrApprove(c: Context, deps: FlowDeps, tx: DeviceTransaction, browserId: string, record: DeviceAuthorization, active: ActiveSession): Promise<Response> {
  const plan = planFor(deps, record, active);
  if (plan.permissions.length === 0) {
    explain(c, 'consent remembered: nothing new to ask');
    return approve(c, deps, tx, record, active);
  }
  if (plan.adminOnly.length > 0) {
    await endDeviceTransaction(deps, tx);
    return sendErrorPage(c, deps, new AadError(90094, `Admin consent is required for the permissions requested by this application: ${plan.adminOnly.join(', ')}.`), 403);
  }
  const next: DeviceTransaction = { ...tx, stage: 'consent', sid: active.session.sid };
  await saveDeviceTransaction(deps, next);
  explain(c, 'consent needed: the user has not granted every requested permission');
  const model = { ...binding(c, deps, next, browserId), appName: appName(deps, record), username: active.user.userPrincipalName, permissions: plan.permissions };
  return show(c, (nonce) => consentPage(model, nonce));
}

async function enterCode(c: Context, deps: FlowDeps, form: URLSearchParams, browserId: string): Promise<Response> {
  const csrf = codeFormCsrf(deps, browserId);
  if (!timingSafeStringEqual(form.get('csrf') ?? '', csrf)) {
    return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. The form could not be verified (missing or wrong CSRF token). Reload the page and enter the code again.'), 403);
  }
  const typed = singleParam(form, 'user_code', 64) ?? '';
  const record = typed ? await loadByUserCode(deps, typed) : undefined;
  const again = (error: { code: number; text: string }) => show(c, (nonce) => enterCodePage({ action: deviceAuthPath(c), csrf, userCode: typed, error }, nonce));
  if (!record || record.status !== 'pending') {
    explain(c, record ? 'this code was already used' : 'no device authorization has this code');
    return again(UNKNOWN_CODE);
  }
  if (record.expiresAt <= deps.clock()) {
    explain(c, 'the code expired before it was entered');
    return again(EXPIRED_CODE);
  }
  explain(c, `code accepted for client ${record.clientId}`);
  const active = await usableSession(c, deps, record);
  if (active) {
    explain(c, 'SSO session found, no password asked');
    const tx = await createDeviceTransaction(deps, browserId, record.id, 'confirm', active.session.sid);
    return showConfirm(c, deps, tx, browserId, record, active);
  }
  explain(c, 'no SSO session in this browser: password form shown');
  const tx = await createDeviceTransaction(deps, browserId, record.id, 'password');
  return showLogin(c, deps, tx, browserId, record);
}

async function passwordStep(c: Context, deps: FlowDeps, form: URLSearchParams, tx: DeviceTransaction, browserId: string, record: DeviceAuthorization): Promise<Response> {
  const username = (form.get('username') ?? '').trim().slice(0, 256);
  const password = (form.get('password') ?? '').slice(0, 256);
  const lookup = (name: string) =>
    record.tenantId === null ? deps.directory.findUserAnywhere(name) : ((u) => (u ? { user: u, tenantId: record.tenantId! } : undefined))(deps.directory.findUserByUsername(record.tenantId, name));
  const found = username ? (lookup(username) ?? lookup(username.toLowerCase())) : undefined;
  // Always hash, so the response time does not tell which usernames exist.
  const valid = await deps.directory.credentials.verifyPassword(found?.user.id ?? '', password);
  if (!found || !valid) {
    explain(c, 'password checked: username or password did not match');
    return showLogin(c, deps, tx, browserId, record, { username, error: BAD_CREDENTIALS });
  }
  if (!found.user.accountEnabled) return showLogin(c, deps, tx, browserId, record, { username, error: DISABLED });
  explain(c, 'password checked');
  const previous = await currentSession(c, deps);
  const session = await startSsoSession(deps, previous?.session, found.user, found.tenantId);
  setSsoCookie(c, deps.cookieSecret, session.sid);
  const next: DeviceTransaction = { ...tx, stage: 'confirm', sid: session.sid };
  await saveDeviceTransaction(deps, next);
  return showConfirm(c, deps, next, browserId, record, { session, user: found.user });
}

/**
 * The device code verification page, `GET|POST /{tenant}/oauth2/deviceauth`: enter the code,
 * sign in (or reuse the SSO session), confirm, consent when needed; Cancel declines.
 */
export function deviceVerificationEndpoint(app: Hono, deps: FlowDeps): void {
  app.get('/:tenant/oauth2/deviceauth', (c) => {
    const browserId = ensureBrowserId(c);
    const prefill = c.req.query('otc') ?? c.req.query('user_code');
    const model = { action: deviceAuthPath(c), csrf: codeFormCsrf(deps, browserId), ...(prefill ? { userCode: prefill.slice(0, 32) } : {}) };
    return show(c, (nonce) => enterCodePage(model, nonce));
  });

  app.post('/:tenant/oauth2/deviceauth', async (c) => {
    let form: URLSearchParams;
    try {
      form = await readRequestParams(c);
      singleParam(form, 'tx', 64);
      singleParam(form, 'csrf', 128);
    } catch (error) {
      if (error instanceof AadError) return sendErrorPage(c, deps, error);
      throw error;
    }
    const browserId = readBrowserId(c);
    if (!browserId) return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. This browser sent no cookie: enable cookies, reload the page and enter the code again.'));
    if (!form.get('tx')) return enterCode(c, deps, form, browserId);

    const tx = await loadDeviceTransaction(deps, form.get('tx') ?? undefined, browserId);
    if (!tx) return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. This sign-in is unknown or has expired. Enter the code again.'));
    if (!verifyCsrfToken(deps.cookieSecret, tx.id, browserId, form.get('csrf') ?? undefined)) {
      return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. The form could not be verified (missing or wrong CSRF token). Enter the code again.'), 403);
    }
    const record = await loadById(deps, tx.deviceId);
    if (!record || record.status !== 'pending' || record.expiresAt <= deps.clock()) {
      await endDeviceTransaction(deps, tx);
      return show(c, (nonce) => enterCodePage({ action: deviceAuthPath(c), csrf: codeFormCsrf(deps, browserId), error: record && record.status === 'pending' ? EXPIRED_CODE : UNKNOWN_CODE }, nonce));
    }
    const action = form.get('action');
    if (tx.stage === 'password') return passwordStep(c, deps, form, tx, browserId, record);
    if (action === 'cancel') return decline(c, deps, tx, record);
    if (tx.stage === 'confirm' && action === 'another') {
      const next: DeviceTransaction = { id: tx.id, browser: tx.browser, deviceId: tx.deviceId, stage: 'password', createdAt: tx.createdAt };
      await saveDeviceTransaction(deps, next);
      return showLogin(c, deps, next, browserId, record);
    }
    const active = await currentSession(c, deps);
    if (!active || active.session.sid !== tx.sid) {
      await endDeviceTransaction(deps, tx);
      return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. You are no longer signed in. Enter the code again.'));
    }
    if (tx.stage === 'confirm' && action === 'continue') return consentOrApprove(c, deps, tx, browserId, record, active);
    if (tx.stage === 'consent' && action === 'accept') {
      const plan = planFor(deps, record, active);
      if (plan.adminOnly.length > 0) return sendErrorPage(c, deps, new AadError(90094, `Admin consent is required for the permissions requested by this application: ${plan.adminOnly.join(', ')}.`), 403);
      grantConsent(deps.directory, record.clientId, active.session, plan);
      explain(c, 'consent granted and remembered for this user');
      return approve(c, deps, tx, record, active);
    }
    return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. The form was answered with an unexpected action.'));
  });
}
