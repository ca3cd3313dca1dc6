import { html } from 'hono/html';
import type { GroupNode, GroupsClaim, Membership } from '../graph/group-memberships.ts';
import type { Html } from './layout.ts';

export interface GroupsView {
  userName: string;
  userId: string;
  graphUrl: string;
  memberships: Membership[];
  tree: GroupNode[];
  pages: number;
  claim: GroupsClaim;
}

function node(n: GroupNode): Html {
  return html`<li><strong>${n.group.displayName}</strong> <span class="muted small">${n.group.id}</span>${n.parents.length > 0 ? html`<ul class="tree">${n.parents.map(node)}</ul>` : ''}</li>`;
}

function claimCard(view: GroupsView): Html {
  const { claim } = view;
  if (claim.kind === 'overage') {
    return html`<div class="card" id="overage"><h2>The ID token's groups: overage</h2>
<p class="note warn">Groups overage: you are in more groups than fit in a token, so Entra left the <code>groups</code> claim out and put <code>_claim_names</code> / <code>_claim_sources</code> in the ID token instead. This app detected it and resolved your groups through Microsoft Graph: <strong data-resolved="${view.memberships.length}">${view.memberships.length} groups</strong>, read in ${view.pages} pages.</p>
<table>
<tr><td class="k"><code>_claim_names</code></td><td class="v"><code>{"groups": "src1"}</code></td></tr>
<tr><td class="k"><code>_claim_sources</code> endpoint</td><td class="v"><code>${claim.source ?? 'none given'}</code></td></tr>
</table>
<p class="muted small">Entra emits the pointer above 200 groups in a JWT (6 in an implicit-flow URL). Do not call the endpoint it names (an old Azure AD Graph URL in real tokens): ask Microsoft Graph, as this page does with <code>transitiveMemberOf</code> (or <code>getMemberObjects</code>).</p>
</div>`;
  }
  if (claim.kind === 'absent') {
    return html`<div class="card"><h2>The ID token's groups</h2><p class="muted">Your ID token has no <code>groups</code> claim: the app registration does not ask for one (<code>groupMembershipClaims</code>), or you are in no group.</p></div>`;
  }
  const inToken = new Set(claim.ids);
  return html`<div class="card" id="claim"><h2>The ID token's <code>groups</code> claim</h2>
<p class="muted small">${claim.ids.length} group ids, nested groups included (the registration asks for security groups). Ids only: names need Graph.</p>
<ul class="points">${claim.ids.map((id) => html`<li><code>${id}</code> ${view.memberships.find((m) => m.id === id)?.displayName ?? ''}</li>`)}</ul>
${view.memberships.some((m) => m.securityEnabled && !inToken.has(m.id)) ? html`<p class="note warn">Graph lists security groups the token does not: memberships changed after you signed in (tokens are a snapshot).</p>` : ''}
</div>`;
}

export function groupsPage(view: GroupsView): Html {
  const direct = view.memberships.filter((m) => m.via.length === 0);
  const inherited = view.memberships.filter((m) => m.via.length > 0);
  return html`<h1>Your groups</h1>
<p class="lead">Read from Microsoft Graph <code>GET ${view.graphUrl}/users/{your oid}/transitiveMemberOf</code>, following every <code>@odata.nextLink</code> (${view.pages} ${view.pages === 1 ? 'page' : 'pages'}), with the app's own token: ${view.memberships.length} groups, ${direct.length} direct and ${inherited.length} inherited through nested groups.</p>
<p class="note info">This page uses <strong>client credentials</strong>: the app signs in as itself (no user) and Graph checks the <em>application permission</em> GroupMember.Read.All an administrator granted to the app. Delegated access (your token, as on the Profile page) would need a group permission consented for you, and then only shows what you may see. App-only access reads any user's groups, so the app must only ever ask about the signed-in user (${view.userName}, <code>${view.userId}</code>).</p>
<div class="grid2">
<div class="card" id="tree"><h2>Membership tree</h2>
<p class="muted small">Each direct group, and under it the groups it is itself a member of.</p>
${view.tree.length > 0 ? html`<ul class="tree">${view.tree.map(node)}</ul>` : html`<p class="muted">You are in no group.</p>`}
</div>
${claimCard(view)}
</div>
<div class="card" id="memberships"><h2>All groups</h2>
<table>
<tr><th>Group</th><th>Membership</th><th>Path</th></tr>
${view.memberships.map(
  (m) => html`<tr data-group="${m.displayName}" data-depth="${m.via.length}"><td class="k">${m.displayName}</td><td>${m.via.length === 0 ? html`<span class="badge ok">direct</span>` : html`<span class="badge">inherited</span>`}</td><td class="m">${[view.userName, ...m.via.map((g) => g.displayName), m.displayName].join(' › ')}</td></tr>`,
)}
</table></div>`;
}
