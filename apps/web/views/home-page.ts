import { html } from 'hono/html';
import type { SignInVerdict } from '../idp/sign-in-verdict.ts';
import type { Html } from './layout.ts';
import { verdictNote } from './sessions-page.ts';

const NOTICES: Record<string, { kind: 'ok' | 'info'; text: string }> = {
  local: {
    kind: 'info',
    text: 'You signed out of this app. Your Entra ID session is still active, so "Sign in" will sign you straight back in without a password (single sign-on).',
  },
  global: { kind: 'ok', text: 'You signed out of this app and of Entra ID. "Sign in" will ask for your password again.' },
};

/** The emulator's seeded users (packages/emulator/src/seed), all five. */
const DEMO_ACCOUNTS: Array<[string, string, string]> = [
  ['Adele Vance', 'adele@entrakitdemo.onmicrosoft.com', 'Identity Engineer; holds this app\'s Admin role and the API\'s Api.Admin role'],
  ['Alex Wilber', 'alex@entrakitdemo.onmicrosoft.com', 'Platform Engineer'],
  ['Megan Bowen', 'megan@entrakitdemo.onmicrosoft.com', 'Product Manager; a TOTP second factor (step-up on Story\'s delete)'],
  ['Nestor Wilke', 'nestor@entrakitdemo.onmicrosoft.com', 'Program Manager; member of 210 groups (the groups overage)'],
  ['Global Administrator', 'admin@entrakitdemo.onmicrosoft.com', 'the tenant\'s administrator (Graph writes, provisioning)'],
];

export function homePage(view: { signedInAs: string | null; notice: string | undefined; verdict: SignInVerdict | undefined; idpHost: string; demoAccounts: boolean }): Html {
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
<tr><td class="k"><a href="/sessions">Sessions</a></td><td class="m">This app's session and the identity provider's, side by side; what each sign-out ends.</td></tr>
<tr><td class="k"><a href="/lab">Break it</a></td><td class="m">Your own API token tampered with, and how the API refuses each attempt.</td></tr>
<tr><td class="k"><a href="/sign-out">Sign out</a></td><td class="m">Out of this app only, or everywhere.</td></tr>
</table>
</div>
</div>
<div class="grid2 mt">
<div class="card" id="home-sessions"><h2>Your sessions</h2>
${view.signedInAs ? verdictNote(view.verdict) : html`<p class="muted">Not signed in to this app.</p>`}
<p class="small muted">Two sessions: this app's, and the single sign-on session at ${view.idpHost}. <a href="/sessions">See both, and what each sign-out ends</a>.</p></div>
${view.demoAccounts
  ? html`<div class="card" id="demo-accounts"><h2>Demo accounts (emulator)</h2>
<table class="kv">${DEMO_ACCOUNTS.map(([name, user, role]) => html`<tr><td class="k">${name}</td><td><code>${user}</code> · ${role}</td></tr>`)}</table>
<p class="small muted">Passwords (and Megan's TOTP secret) are in the emulator's <code>dev.json</code> in the data folder (<code>.entrakit/dev.json</code>), and <code>npm start</code> prints them when it is ready.</p></div>`
  : ''}
</div>`;
}
