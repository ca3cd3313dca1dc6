import { html } from 'hono/html';
import { layout } from './layout.ts';
import { hiddenFields, type FormBinding } from './login-page.ts';
import type { View } from './respond.ts';

export interface EnterCodeModel {
  action: string;
  csrf: string;
  userCode?: string;
  error?: { code: number; text: string };
}

/** The verification page: field `user_code` and the `Next` label are a public contract (automation). */
export function enterCodePage(model: EnterCodeModel, nonce: string): View {
  return layout(
    'Enter code',
    nonce,
    html`<h1>Enter code</h1>
<p class="sub">Enter the code displayed on your app or device.</p>
<form method="post" action="${model.action}">
<input type="hidden" name="csrf" value="${model.csrf}">
${model.error ? html`<p class="error" role="alert">${model.error.text}<br><small>AADSTS${model.error.code}</small></p>` : ''}
<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" autocomplete="off" spellcheck="false" autocapitalize="characters" required autofocus value="${model.userCode ?? ''}">
<div class="actions"><button type="submit" class="primary">Next</button></div>
</form>`,
  );
}

export interface DeviceConfirmModel extends FormBinding {
  appName: string;
  account: { displayName: string; username: string };
}

/** "Are you trying to sign in to …?": `Continue` approves, `Cancel` declines (authorization_declined). */
export function deviceConfirmPage(model: DeviceConfirmModel, nonce: string): View {
  return layout(
    'Are you trying to sign in?',
    nonce,
    html`<h1>Are you trying to sign in to ${model.appName}?</h1>
<p class="sub">Only continue if you started this sign-in on a device or app you trust.</p>
<form method="post" action="${model.action}">
${hiddenFields(model)}
<div class="account"><strong>${model.account.displayName}</strong><small>${model.account.username}</small></div>
<div class="actions">
<button type="submit" name="action" value="another" class="secondary">Use another account</button>
<button type="submit" name="action" value="cancel" class="secondary">Cancel</button>
<button type="submit" name="action" value="continue" class="primary">Continue</button>
</div>
</form>`,
  );
}

/** The end of the flow; `data-device-result` tells automation (and the request log) how it ended. */
export function deviceResultPage(model: { appName: string; result: 'approved' | 'declined' }, nonce: string): View {
  return layout(
    model.result === 'approved' ? 'Signed in' : 'Sign-in cancelled',
    nonce,
    model.result === 'approved'
      ? html`<h1 data-device-result="approved">You're signed in</h1>
<p class="sub">You have signed in to the <strong>${model.appName}</strong> application on your device. You may now close this window.</p>`
      : html`<h1 data-device-result="declined">Sign-in cancelled</h1>
<p class="sub">You declined to sign in to <strong>${model.appName}</strong> on that device. You may now close this window.</p>`,
  );
}
