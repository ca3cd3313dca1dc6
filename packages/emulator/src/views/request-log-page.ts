import { html } from 'hono/html';
import type { LoggedEndpoint, RequestLogEntry } from '../request-log/request-log.ts';
import type { View } from './respond.ts';
import { wideLayout } from './wide-layout.ts';

export interface RequestLogPageModel {
  entries: RequestLogEntry[];
  clientRequestId?: string;
  clientId?: string;
  endpoint?: string;
  capacity: number;
}

const ENDPOINTS: LoggedEndpoint[] = ['authorize', 'login', 'consent', 'token', 'logout', 'devicecode', 'deviceauth', 'graph', 'userinfo', 'managed-identity', 'userrealm'];

/** The three filters GET /_admin/requests takes, as one form (empty fields are ignored). */
function filterForm(model: RequestLogPageModel) {
  return html`<form method="get" action="/_admin/requests" class="filters">
<label>client-request-id <input type="text" name="clientRequestId" value="${model.clientRequestId ?? ''}"></label>
<label>client id <input type="text" name="clientId" value="${model.clientId ?? ''}"></label>
<label>endpoint <select name="endpoint"><option value="">any</option>${ENDPOINTS.map((e) => html`<option value="${e}"${model.endpoint === e ? html` selected` : ''}>${e}</option>`)}</select></label>
<button type="submit">Filter</button> <a href="/_admin/requests">All</a></form>`;
}

const outcomeClass = (e: RequestLogEntry) => (e.outcome === 'error' ? 'error' : e.outcome === 'success' ? 'ok' : 'wait');

/** The request log as a table, newest first; the same data as GET /_admin/requests (JSON). */
export function requestLogPage(model: RequestLogPageModel, nonce: string): View {
  return wideLayout(
    'Request log',
    nonce,
    html`<h1>Request log</h1>
<p class="muted">The last ${model.capacity} authorize, sign-in, consent, token, logout, device code and Graph requests, newest first, with what the emulator decided and why. JSON: <code>GET /_admin/requests?clientRequestId=…&amp;clientId=…&amp;endpoint=…</code> with the <code>x-entrakit-admin</code> header.</p>
${filterForm(model)}
<section><table>
<thead><tr><th>#</th><th>Time (UTC)</th><th>Endpoint</th><th>Client</th><th>client-request-id</th><th>Outcome</th><th>Why</th></tr></thead>
<tbody>
${model.entries.length === 0 ? html`<tr><td colspan="7" class="muted">No requests recorded yet.</td></tr>` : ''}
${model.entries.map(
  (e) => html`<tr>
<td>${e.id}</td><td>${e.time.slice(11, 23)}</td>
<td><code>${e.method} ${e.path}</code>${e.grantType ? html`<br><small>${e.grantType}</small>` : ''}</td>
<td>${e.clientId ? html`<a href="/_admin/requests?clientId=${encodeURIComponent(e.clientId)}"><code>${e.clientId}</code></a>` : html`<span class="muted">-</span>`}${e.user ? html`<br><small>${e.user}</small>` : ''}</td>
<td>${e.clientRequestId ? html`<a href="/_admin/requests?clientRequestId=${encodeURIComponent(e.clientRequestId)}"><code>${e.clientRequestId}</code></a>` : html`<span class="muted">-</span>`}</td>
<td class="${outcomeClass(e)}">${e.status} ${e.outcome}${e.error ? html`<br><code>${e.error}</code>` : ''}${e.aadsts !== null ? html` <a href="/error?code=${e.aadsts}">AADSTS${e.aadsts}</a>` : ''}</td>
<td><ul>${e.why.map((w) => html`<li>${w}</li>`)}</ul></td>
</tr>`,
)}
</tbody></table></section>`,
  );
}

/** Where a browser enters the admin key (from dev.json) once; a cookie then opens the admin pages. */
export function adminSignInPage(nonce: string, failed: boolean): View {
  return wideLayout(
    'Admin key',
    nonce,
    html`<h1>Admin key</h1>
<p>The request log is for whoever runs this emulator. Paste <code>emulator.adminKey</code> from <code>dev.json</code>:</p>
${failed ? html`<p class="error" role="alert">That is not the admin key.</p>` : ''}
<form method="post" action="/_admin/sign-in"><input type="password" name="key" autocomplete="off" required> <button type="submit">Open the request log</button></form>`,
  );
}
