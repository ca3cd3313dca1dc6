import type { Context } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import type { User } from '../directory/types.ts';
import { accountPickerPage } from '../views/account-picker.ts';
import { consentPage, type ConsentPermission } from '../views/consent-page.ts';
import { loginPage, type FormBinding } from '../views/login-page.ts';
import { mfaPage } from '../views/mfa-page.ts';
import { newNonce, sendPage } from '../views/respond.ts';
import { csrfToken, type LoginTransaction } from './login-transaction.ts';
import { accountHints } from './account-hints.ts';

type PageDeps = Pick<EmulatorDeps, 'cookieSecret' | 'directory'>;

function binding(deps: PageDeps, tx: LoginTransaction, browserId: string, endpoint: 'login' | 'consent'): FormBinding {
  return { action: `/${encodeURIComponent(tx.request.authority.segment)}/${endpoint}`, txId: tx.id, csrf: csrfToken(deps.cookieSecret, tx.id, browserId) };
}

// The forms post here; after the post we redirect to the app, which form-action must also allow.
function security(tx: LoginTransaction) {
  return { nonce: newNonce(), formAction: [tx.request.redirectUri] };
}

export function showLoginForm(c: Context, deps: PageDeps, tx: LoginTransaction, browserId: string, options: { username?: string; error?: { code: number; text: string } } = {}): Promise<Response> {
  const sec = security(tx);
  const accounts = accountHints(deps.directory, tx.request.authority.tenantId, tx.request.clientId);
  const model = { ...binding(deps, tx, browserId, 'login'), appName: tx.request.appDisplayName, accounts, ...options };
  return sendPage(c, loginPage(model, sec.nonce), 200, sec);
}

export function showAccountPicker(c: Context, deps: PageDeps, tx: LoginTransaction, browserId: string, user: User): Promise<Response> {
  const sec = security(tx);
  const model = { ...binding(deps, tx, browserId, 'login'), appName: tx.request.appDisplayName, account: { displayName: user.displayName, username: user.userPrincipalName } };
  return sendPage(c, accountPickerPage(model, sec.nonce), 200, sec);
}

export function showConsent(c: Context, deps: PageDeps, tx: LoginTransaction, browserId: string, user: User, permissions: ConsentPermission[]): Promise<Response> {
  const sec = security(tx);
  const model = { ...binding(deps, tx, browserId, 'consent'), appName: tx.request.appDisplayName, username: user.userPrincipalName, permissions };
  return sendPage(c, consentPage(model, sec.nonce), 200, sec);
}

export function showMfaForm(c: Context, deps: PageDeps, tx: LoginTransaction, browserId: string, user: User, error?: { code: number; text: string }): Promise<Response> {
  const sec = security(tx);
  const model = { ...binding(deps, tx, browserId, 'login'), appName: tx.request.appDisplayName, username: user.userPrincipalName, ...(error ? { error } : {}) };
  return sendPage(c, mfaPage(model, sec.nonce), 200, sec);
}
