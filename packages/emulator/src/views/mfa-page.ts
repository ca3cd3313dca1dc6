import { html } from 'hono/html';
import { layout } from './layout.ts';
import { hiddenFields, type FormBinding } from './login-page.ts';
import type { View } from './respond.ts';

export interface MfaPageModel extends FormBinding {
  appName: string;
  username: string;
  /** A wrong code: the user-facing text and its AADSTS code. */
  error?: { code: number; text: string };
}

/**
 * The second sign-in step: the code from the user's authenticator app (TOTP). The field name `otc`
 * (Entra's one-time-code field) and the `Verify` label are a public contract (automation).
 */
export function mfaPage(model: MfaPageModel, nonce: string): View {
  return layout(
    'Enter code',
    nonce,
    html`<h1>Enter code</h1>
<p class="sub">Enter the code displayed in the authenticator app on your mobile device for <strong>${model.username}</strong> to continue to <strong>${model.appName}</strong>.</p>
<form method="post" action="${model.action}">
${hiddenFields(model)}
${model.error ? html`<p class="error" role="alert">${model.error.text}<br><small>AADSTS${model.error.code}</small></p>` : ''}
<label for="otc">Code</label>
<input id="otc" name="otc" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus>
<div class="actions"><button type="submit" name="action" value="mfa" class="primary">Verify</button></div>
</form>`,
  );
}
