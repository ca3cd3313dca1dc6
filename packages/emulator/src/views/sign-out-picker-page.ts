import { html } from 'hono/html';
import { layout } from './layout.ts';
import type { View } from './respond.ts';

export interface SignOutPickerModel {
  action: string;
  csrf: string;
  account: { displayName: string; username: string };
  /** The logout request's parameters, carried to the confirming POST. */
  carried: Record<string, string>;
}

/**
 * A logout request that does not prove it comes from the signed-in user's app (no matching
 * id_token_hint) asks first, like Entra's "Which account do you want to sign out of?", so a
 * cross-site <img> or link cannot end the session.
 */
export function signOutPickerPage(model: SignOutPickerModel, nonce: string): View {
  return layout(
    'Sign out',
    nonce,
    html`<h1>Pick an account</h1>
<p class="sub">Which account do you want to sign out of?</p>
<form method="post" action="${model.action}">
<input type="hidden" name="csrf" value="${model.csrf}">
${Object.entries(model.carried).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<div class="account"><strong>${model.account.displayName}</strong><small>${model.account.username}</small><small>Signed in</small></div>
<div class="actions">
<button type="submit" name="action" value="signout" class="primary">Sign out</button>
</div>
</form>`,
  );
}
