import { html } from 'hono/html';
import { DEMO_TENANT, USERS } from '../seed/demo-tenant.ts';
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
}

export function hiddenFields(binding: FormBinding): View {
  return html`<input type="hidden" name="tx" value="${binding.txId}"><input type="hidden" name="csrf" value="${binding.csrf}">`;
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
<p class="sub"><small>Demo accounts: ${USERS.map((u, i) => html`${i > 0 ? ', ' : ''}<code class="upn">${u.alias}@${DEMO_TENANT.domain}</code>`)} (passwords in <code>dev.json</code>).</small></p>`,
  );
}
