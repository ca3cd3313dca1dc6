import { html } from 'hono/html';
import type { UserRecord } from 'entrakit/store';
import type { Html } from './layout.ts';

const when = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

/** The app's local user records (kept from each validated sign-in), for holders of the Admin role. */
export function adminPage(view: { users: UserRecord[]; roles: string[] }): Html {
  const users = [...view.users].sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  return html`<h1>Administration</h1>
<p class="lead">You hold the app role <strong>Admin</strong> (your ID token's <code>roles</code>: ${view.roles.join(', ')}). These are the users this app has seen: one record per tenant id + object id, updated at each sign-in from the validated ID token.</p>
<p><a class="btn secondary" href="/admin/registrations">App registrations and service principals</a></p>
<div class="card" id="users"><h2>Users (${users.length})</h2>
<div class="scroll"><table class="wrap">
<tr><th>User</th><th>Key (tid + oid)</th><th>Last sign-in</th><th>Sign-ins</th><th>Changed at last sign-in</th></tr>
${users.map(
  (u) => html`<tr data-user="${u.username ?? u.oid}"><td class="k">${u.name ?? html`<span class="muted">no name</span>`}<div class="muted small">${u.username ?? ''}</div></td><td class="v small"><code>${u.tid}</code><br><code>${u.oid}</code></td><td>${when(u.lastSeenAt)}</td><td>${u.signInCount}</td><td>${u.lastChangedClaims.length > 0 ? u.lastChangedClaims.join(', ') : html`<span class="muted">nothing</span>`}</td></tr>`,
)}
</table></div></div>`;
}
