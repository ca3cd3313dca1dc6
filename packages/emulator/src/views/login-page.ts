import { html } from 'hono/html';
import { layout } from './layout.ts';
import type { View } from './respond.ts';

/** Hidden fields every interactive form posts back: the login transaction and its CSRF token. */
export interface FormBinding {
  action: string;
  txId: string;
  csrf: string;
}

export interface LoginPageModel extends FormBinding {
  appName: string;
  username?: string;
  /** A sign-in failure shown above the form (AADSTS code and the user-facing text). */
  error?: { code: number; text: string };
  /** Usernames of the tenant being signed in to, suggested under the form (none: no hint). */
  accounts?: { usernames: string[]; more: number };
}

export function hiddenFields(binding: FormBinding): View {
  return html`<input type="hidden" name="tx" value="${binding.txId}"><input type="hidden" name="csrf" value="${binding.csrf}">`;
}

function accountsHint(accounts: LoginPageModel['accounts']): View | string {
  if (!accounts || accounts.usernames.length === 0) return '';
  const more = accounts.more > 0 ? html` and ${accounts.more} more` : '';
  return html`<p class="sub"><small>Accounts: ${accounts.usernames.map((u, i) => html`${i > 0 ? ', ' : ''}<code class="upn">${u}</code>`)}${more} (passwords in <code>dev.json</code>).</small></p>`;
}

/** The password form. Field names `username`, `password` and the `Sign in` label are a public contract (automation). */
export function loginPage(model: LoginPageModel, nonce: string): View {
  const prefilled = model.username !== undefined && model.username !== '';
  return layout(
    'Sign in',
    nonce,
    html`<h1>Sign in</h1>
<p class="sub">to continue to <strong>${model.appName}</strong></p>
<form method="post" action="${model.action}">
${hiddenFields(model)}
${model.error ? html`<p class="error" role="alert">${model.error.text}<br><small>AADSTS${model.error.code}</small></p>` : ''}
<label for="username">Username</label>
<input id="username" name="username" type="text" inputmode="email" autocomplete="username" spellcheck="false" required value="${model.username ?? ''}" ${prefilled ? '' : html`autofocus`}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required ${prefilled ? html`autofocus` : ''}>
<div class="actions"><button type="submit" class="primary">Sign in</button></div>
</form>
${accountsHint(model.accounts)}`,
  );
}
