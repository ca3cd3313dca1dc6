import { html } from 'hono/html';
import type { GraphMe } from '../auth/graph-me.ts';
import type { UserRecord } from 'entrakit/store';
import type { Html } from './layout.ts';

const when = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

export function profilePage(view: { me: GraphMe; graphUrl: string; user: UserRecord | undefined }): Html {
  const { me, user } = view;
  const row = (label: string, value: string | null, hint: string) =>
    html`<tr><td class="k">${label}</td><td class="v">${value ?? html`<span class="muted">not set</span>`}</td><td class="m">${hint}</td></tr>`;
  return html`<h1>${me.displayName ?? 'Your profile'}</h1>
<p class="lead">Read from Microsoft Graph <code>GET ${view.graphUrl}/me</code> with your delegated access token (scope <code>User.Read</code>), which MSAL took from your encrypted token cache or refreshed silently.</p>
<div class="card"><h2>Microsoft Graph /me</h2>
<table>
<tr><th>Property</th><th>Value</th><th>Notes</th></tr>
${row('displayName', me.displayName, 'for display only')}
${row('userPrincipalName', me.userPrincipalName, 'sign-in name; can change')}
${row('mail', me.mail, 'primary email address')}
${row('jobTitle', me.jobTitle, '')}
${row('id', me.id, 'object id (oid): with the tenant id, the stable key for this user')}
</table></div>
${user
  ? html`<div class="card"><h2>This app's record of you</h2>
<p class="muted small">Created or updated at every sign-in from the validated ID token, keyed by tenant id + object id.</p>
<table>
<tr><td class="k">Key</td><td class="v"><code>${user.tid}</code> + <code>${user.oid}</code></td></tr>
<tr><td class="k">First seen</td><td>${when(user.firstSeenAt)}</td></tr>
<tr><td class="k">Last seen</td><td>${when(user.lastSeenAt)}</td></tr>
<tr><td class="k">Sign-ins</td><td>${user.signInCount}</td></tr>
<tr><td class="k">Changed at last sign-in</td><td>${user.lastChangedClaims.length > 0 ? user.lastChangedClaims.join(', ') : html`<span class="muted">nothing</span>`}</td></tr>
</table></div>`
  : ''}`;
}
