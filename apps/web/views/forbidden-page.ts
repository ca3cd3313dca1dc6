import { html } from 'hono/html';
import type { Html } from './layout.ts';

/** 403 for a signed-in user without the app role a page needs: which role, and how to get it. */
export function forbiddenPage(view: { role: string; held: string[]; path: string }): Html {
  return html`<h1>You need the ${view.role} role</h1>
<p class="lead"><code>${view.path}</code> is only for users holding this app's <strong>${view.role}</strong> app role. Your ID token does not list it.</p>
<div class="card"><h2>Why</h2>
<table>
<tr><td class="k">Role needed</td><td><span class="badge bad">${view.role}</span></td></tr>
<tr><td class="k">Your <code>roles</code> claim</td><td>${view.held.length > 0 ? view.held.map((r) => html`<span class="badge">${r}</span> `) : html`<span class="muted">none: no app role of this app is assigned to you</span>`}</td></tr>
<tr><td class="k">HTTP status</td><td>403</td></tr>
</table>
<p class="muted small">App roles are defined in the app registration (App roles) and assigned to users or groups on its enterprise application (Users and groups). Entra puts the assigned roles in the <code>roles</code> claim of the ID token at sign-in, so after an administrator assigns the role, sign out and sign in again.</p>
</div>
<p><a class="btn" href="/">Back to the home page</a></p>`;
}
