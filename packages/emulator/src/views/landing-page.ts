import { html } from 'hono/html';
import type { View } from './respond.ts';
import { wideLayout } from './wide-layout.ts';

export interface LandingTenant {
  id: string;
  domain: string;
  displayName: string;
  authority: string;
  users: Array<{ userPrincipalName: string; displayName: string; accountEnabled: boolean }>;
  groups: Array<{ displayName: string; members: number }>;
  apps: Array<{
    displayName: string;
    appId: string;
    signInAudience: string;
    web: string[];
    spa: string[];
    publicClient: string[];
    allowPublicClient: boolean;
    identifierUris: string[];
    scopes: string[];
    appRoles: string[];
  }>;
}

export interface LandingModel {
  publicUrl: string;
  tenants: LandingTenant[];
}

/** Groups whose names differ only by a trailing number ("Project 001" … "Project 210"), when there are many. */
const SERIES_MIN = 10;

function groupSummary(groups: LandingTenant['groups']) {
  const series = new Map<string, LandingTenant['groups']>();
  for (const group of groups) {
    const stem = /^(.*\D)\d+$/.exec(group.displayName)?.[1];
    if (stem !== undefined) series.set(stem, [...(series.get(stem) ?? []), group]);
  }
  for (const members of series.values()) members.sort((a, b) => a.displayName.localeCompare(b.displayName, 'en', { numeric: true }));
  const folded = new Set([...series.values()].filter((members) => members.length >= SERIES_MIN).flat());
  const single = groups.filter((group) => !folded.has(group));
  const named = (g: LandingTenant['groups'][number], n: number) => html`${n > 0 ? ' · ' : ''}${g.displayName} <small class="muted">(${g.members} direct members)</small>`;
  return html`<h3>Groups (${groups.length})</h3>
${single.length > 0 ? html`<p>${single.map(named)}</p>` : ''}
${[...series.entries()]
  .filter(([, members]) => members.length >= SERIES_MIN)
  .map(
    ([, members]) => html`<details class="groups"><summary>${members.length} groups named <strong>${members[0]!.displayName}</strong> … <strong>${members[members.length - 1]!.displayName}</strong> (show them)</summary>
<p>${members.map(named)}</p></details>`,
  )}`;
}

const list = (items: string[]) => (items.length === 0 ? html`<span class="muted">-</span>` : html`${items.map((i, n) => html`${n > 0 ? html`<br>` : ''}<code>${i}</code>`)}`);

/** `GET /`: what this emulator serves, so a person can find tenants, users, apps and logs without reading code. */
export function landingPage(model: LandingModel, nonce: string): View {
  return wideLayout(
    'Home',
    nonce,
    html`<h1>Local Entra ID emulator</h1>
<p>OAuth 2.0 / OpenID Connect v2.0 endpoints, a sign-in page with SSO, the device code flow and a Microsoft Graph subset at <code>${model.publicUrl}</code>.
Demo passwords and client secrets are in <code>dev.json</code> in the emulator's data folder (<code>.entrakit/dev.json</code> unless started with <code>--data</code>); they are never shown here.</p>
<section><h3>Links</h3><ul>
<li><a href="/_admin/requests">Request log</a> (what each sign-in and token request decided, and why; asks for the admin key from dev.json)</li>
<li><a href="/common/v2.0/.well-known/openid-configuration">Discovery for /common</a> · <a href="/organizations/v2.0/.well-known/openid-configuration">/organizations</a></li>
<li><a href="/common/oauth2/deviceauth">Device code sign-in page</a></li>
<li><a href="/error?code=50011">AADSTS error explanations</a> (each error body's <code>error_uri</code> links there)</li>
</ul></section>
${model.tenants.map(
  (t) => html`<h2>${t.displayName} <small class="muted">${t.domain}</small></h2>
<section>
<p>Tenant id <code>${t.id}</code> · authority <code>${t.authority}</code><br>
<a href="/${t.id}/v2.0/.well-known/openid-configuration">Discovery document</a> · <a href="/${t.id}/discovery/v2.0/keys">Signing keys (JWKS)</a></p>
<h3>Users</h3>
<table><thead><tr><th>Username</th><th>Name</th><th>Enabled</th></tr></thead><tbody>
${t.users.map((u) => html`<tr><td><code>${u.userPrincipalName}</code></td><td>${u.displayName}</td><td>${u.accountEnabled ? 'yes' : 'no'}</td></tr>`)}
</tbody></table>
${t.groups.length > 0 ? groupSummary(t.groups) : ''}
<h3>App registrations</h3>
<table><thead><tr><th>App</th><th>Client id</th><th>Web redirect URIs</th><th>SPA redirect URIs</th><th>Public client redirect URIs</th><th>Exposes</th></tr></thead><tbody>
${t.apps.map(
  (a) => html`<tr><td>${a.displayName}<br><small class="muted">${a.signInAudience}${a.allowPublicClient ? ', public client flows allowed' : ''}</small></td><td><code>${a.appId}</code></td><td>${list(a.web)}</td><td>${list(a.spa)}</td><td>${list(a.publicClient)}</td>
<td>${list(a.identifierUris)}${a.scopes.length > 0 ? html`<br><small>scopes: ${a.scopes.join(', ')}</small>` : ''}${a.appRoles.length > 0 ? html`<br><small>roles: ${a.appRoles.join(', ')}</small>` : ''}</td></tr>`,
)}
</tbody></table>
</section>`,
)}`,
  );
}
