import { html } from 'hono/html';
import type { Html } from './layout.ts';

const NOTICES: Record<string, { kind: 'ok' | 'info'; text: string }> = {
  local: {
    kind: 'info',
    text: 'You signed out of this app. Your Entra ID session is still active, so "Sign in" will sign you straight back in without a password (single sign-on).',
  },
  global: { kind: 'ok', text: 'You signed out of this app and of Entra ID. "Sign in" will ask for your password again.' },
};

export function homePage(view: { signedInAs: string | null; notice: string | undefined }): Html {
  const notice = view.notice !== undefined && Object.hasOwn(NOTICES, view.notice) ? NOTICES[view.notice] : undefined;
  return html`${notice ? html`<p class="note ${notice.kind}">${notice.text}</p>` : ''}
<h1>Sign in with Microsoft Entra ID, and see what happens</h1>
<p class="lead">A reference web app: OpenID Connect done properly, with every step of the protocol visible.</p>
<div class="grid2">
<div class="card">
<h2>What this app demonstrates</h2>
<ul class="points">
<li>Authorization Code flow with <strong>PKCE</strong>, <strong>state</strong> and <strong>nonce</strong>, as a confidential client (MSAL Node).</li>
<li>The <strong>ID token validated by the app</strong>: signature from the published keys, issuer, audience, lifetime, nonce, tenant.</li>
<li>A server-side session and an <strong>encrypted per-user token cache</strong>; tokens never reach the browser.</li>
<li>Microsoft Graph <code>/v1.0/me</code> called with a silently refreshed access token.</li>
<li>Every claim explained, and a <strong>trace</strong> of the sign-in's HTTP exchanges.</li>
<li>Single sign-on: signing out of the app only, versus signing out everywhere.</li>
</ul>
${view.signedInAs
  ? html`<p>Signed in as <strong>${view.signedInAs}</strong>.</p><p><a class="btn" href="/profile">Open your profile</a></p>`
  : html`<p><a class="btn" href="/auth/sign-in">Sign in</a></p>`}
</div>
<div class="card">
<h2>The pages</h2>
<table>
<tr><td class="k"><a href="/profile">Profile</a></td><td class="m">Your Graph profile, read with your access token.</td></tr>
<tr><td class="k"><a href="/tokens">Tokens</a></td><td class="m">ID and access token decoded, each claim explained, the checks that passed.</td></tr>
<tr><td class="k"><a href="/trace">Trace</a></td><td class="m">The last sign-in as a timeline and a sequence diagram.</td></tr>
<tr><td class="k"><a href="/story">Story</a></td><td class="m">Calls the entrakit API with a token for its scope (asks for consent once).</td></tr>
<tr><td class="k"><a href="/sign-out">Sign out</a></td><td class="m">Out of this app only, or everywhere.</td></tr>
</table>
</div>
</div>`;
}
