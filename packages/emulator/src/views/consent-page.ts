import { html } from 'hono/html';
import { layout } from './layout.ts';
import { hiddenFields, type FormBinding } from './login-page.ts';
import type { View } from './respond.ts';

export interface ConsentPermission {
  displayName: string;
  description: string;
  resourceName: string;
}

export interface ConsentPageModel extends FormBinding {
  appName: string;
  username: string;
  permissions: ConsentPermission[];
}

/** Permissions requested; the `Accept` and `Cancel` labels are a public contract (automation). */
export function consentPage(model: ConsentPageModel, nonce: string): View {
  return layout(
    'Permissions requested',
    nonce,
    html`<h1>Permissions requested</h1>
<p class="sub"><strong>${model.appName}</strong> · signed in as ${model.username}</p>
<p>This app would like to:</p>
<ul class="scopes">
${model.permissions.map((p) => html`<li>${p.displayName}<small>${p.description === p.displayName ? p.resourceName : `${p.description} (${p.resourceName})`}</small></li>`)}
</ul>
<p class="muted">Accepting these permissions means that you allow this app to use your data as described. Nothing is shared with anyone else: this is a local emulator.</p>
<form method="post" action="${model.action}">
${hiddenFields(model)}
<div class="actions">
<button type="submit" name="action" value="cancel" class="secondary">Cancel</button>
<button type="submit" name="action" value="accept" class="primary">Accept</button>
</div>
</form>`,
  );
}
