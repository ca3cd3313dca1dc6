import { html } from 'hono/html';
import type { NamedPermission, Registrations } from '../graph/registrations.ts';
import type { Html } from './layout.ts';

function permissions(list: NamedPermission[]): Html {
  if (list.length === 0) return html`<span class="muted">none</span>`;
  return html`${list.map((p) => html`<div><span class="badge ${p.kind === 'application' ? 'warn' : ''}">${p.kind}</span> ${p.resource}: <strong>${p.name}</strong></div>`)}`;
}

export function registrationsPage(view: Registrations & { graphUrl: string }): Html {
  return html`<h1>App registrations and service principals</h1>
<p class="lead">Read from <code>GET ${view.graphUrl}/applications</code> and <code>/servicePrincipals</code> with the app's own token (application permission Application.Read.All). Permission ids are resolved to names through each resource's service principal: <code>oauth2PermissionScopes</code> for delegated permissions, <code>appRoles</code> for application permissions.</p>
<div class="card" id="applications"><h2>App registrations (${view.applications.length})</h2>
<div class="scroll"><table class="wrap">
<tr><th>Application</th><th>Sign-in audience</th><th>Configured permissions (requiredResourceAccess)</th></tr>
${view.applications.map(
  (a) => html`<tr data-app="${a.displayName}"><td class="k">${a.displayName}<div class="muted small"><code>${a.appId}</code></div></td><td>${a.signInAudience}</td><td>${permissions(a.configured)}</td></tr>`,
)}
</table></div></div>
<div class="card" id="service-principals"><h2>Service principals (${view.servicePrincipals.length})</h2>
${view.grantsProblem ? html`<p class="note warn">Granted permissions could not be read: ${view.grantsProblem}.</p>` : ''}
<div class="scroll"><table class="wrap">
<tr><th>Service principal</th><th>Publishes</th><th>Granted (admin consent, app role assignments)</th></tr>
${view.servicePrincipals.map(
  (s) => html`<tr data-sp="${s.displayName}"><td class="k">${s.displayName}<div class="muted small">${s.servicePrincipalType} · <code>${s.appId}</code></div></td><td class="small">${s.publishes.scopes.length > 0 ? html`<div>scopes: ${s.publishes.scopes.join(', ')}</div>` : ''}${s.publishes.roles.length > 0 ? html`<div>app roles: ${s.publishes.roles.join(', ')}</div>` : ''}</td><td>${permissions(s.granted)}</td></tr>`,
)}
</table></div></div>
<details class="card"><summary>As Graph returned them (JSON)</summary>
<pre class="doc">${JSON.stringify({ applications: view.applications.map((a) => a.raw), servicePrincipals: view.servicePrincipals.map((s) => s.raw) }, null, 2)}</pre>
</details>`;
}
