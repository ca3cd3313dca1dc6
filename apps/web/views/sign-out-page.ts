import { html } from 'hono/html';
import type { Html } from './layout.ts';

export function signOutPage(view: { csrf: string; idpHost: string }): Html {
  return html`<h1>Sign out</h1>
<p class="lead">Two different things can end: your session with this app, and your single sign-on session with Entra ID (${view.idpHost}).</p>
<div class="actions">
<div class="card">
<h2>Sign out of this app</h2>
<p>Ends this app's session and deletes your cached tokens here. Your Entra ID session stays, so the next "Sign in" completes without asking for your password.</p>
<form method="post" action="/auth/sign-out/local"><input type="hidden" name="csrf" value="${view.csrf}"><button class="btn secondary" type="submit">Sign out of this app</button></form>
</div>
<div class="card">
<h2>Sign out everywhere</h2>
<p>Does the same, then sends you to Entra ID to end its session too (and every app signed in with it is told). The next "Sign in" asks for your password.</p>
<form method="post" action="/auth/sign-out/global"><input type="hidden" name="csrf" value="${view.csrf}"><button class="btn danger" type="submit">Sign out everywhere</button></form>
</div>
</div>`;
}
