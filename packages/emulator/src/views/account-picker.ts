import { html } from 'hono/html';
import { layout } from './layout.ts';
import { hiddenFields, type FormBinding } from './login-page.ts';
import type { View } from './respond.ts';

export interface AccountPickerModel extends FormBinding {
  appName: string;
  account: { displayName: string; username: string };
}

/** prompt=select_account: the signed-in account, or another one (which leads to the password form). */
export function accountPickerPage(model: AccountPickerModel, nonce: string): View {
  return layout(
    'Pick an account',
    nonce,
    html`<h1>Pick an account</h1>
<p class="sub">to continue to <strong>${model.appName}</strong></p>
<form method="post" action="${model.action}">
${hiddenFields(model)}
<div class="account"><strong>${model.account.displayName}</strong><small>${model.account.username}</small><small>Signed in</small></div>
<div class="actions">
<button type="submit" name="action" value="continue" class="primary">Continue</button>
<button type="submit" name="action" value="another" class="secondary">Use another account</button>
</div>
</form>`,
  );
}
