import { html } from 'hono/html';
import type { AppSessionFacts, IdpSessionFacts } from '../idp/session-facts.ts';
import { iso } from '../idp/sign-in-verdict.ts';
import type { SignInVerdict } from '../idp/sign-in-verdict.ts';
import type { RevocationRecord } from '../graph/revoke-sessions.ts';
import type { Html } from './layout.ts';

export interface SessionsView {
  now: number;
  app: AppSessionFacts | undefined;
  idp: IdpSessionFacts;
  csrf: string | undefined;
  /** 'local' | 'global' after a sign-out. */
  notice: string | undefined;
  /** What "Revoke my sessions" did, shown once after it. */
  revocation?: RevocationRecord | undefined;
}

function revocationCard(record: RevocationRecord): Html {
  return html`<div class="card" id="revocation"><h2>Your sessions were revoked: what happened</h2>
<ol class="timeline">${record.steps.map((step) => html`<li class="step"><div class="step-head"><strong>${step.title}</strong>${step.status !== undefined ? html`<span class="badge ${step.status < 400 ? 'ok' : 'warn'}">${step.status}</span>` : ''}</div><p class="small">${step.detail}</p></li>`)}
<li class="step"><div class="step-head"><strong>Back here, signed in again</strong></div><p class="small">Your new sign-in is below: a new SSO session at the identity provider, and a new session in this app.</p></li></ol></div>`;
}

function inMinutes(at: number, now: number): string {
  const minutes = Math.round((at - now) / 60_000);
  return minutes >= 120 ? `in ${Math.round(minutes / 60)} h` : `in ${minutes} min`;
}

/** The plain-words verdict on the last sign-in: the heart of the page. */
export function verdictNote(verdict: SignInVerdict | undefined): Html {
  if (!verdict) return html`<p class="note info">No record of how the identity provider handled your last sign-in (it happened before this app recorded it). Sign in again to see it.</p>`;
  const kind = verdict.passwordAsked === false ? 'info' : verdict.passwordAsked ? 'ok' : 'warn';
  return html`<div class="note ${kind}" data-verdict="${verdict.passwordAsked === false ? 'sso' : verdict.passwordAsked ? 'password' : 'unknown'}"><p class="verdict">${verdict.text}</p><p class="small">Why: ${verdict.why}</p></div>`;
}

const SIGN_OUTS = [
  { name: 'Sign out of this app', app: true, cache: true, idp: false, others: false },
  { name: 'Sign out everywhere', app: true, cache: true, idp: true, others: true },
];

function mark(yes: boolean): Html {
  return yes ? html`<span class="badge ok">ends</span>` : html`<span class="badge">stays</span>`;
}

export function sessionsPage(view: SessionsView): Html {
  const { app, idp } = view;
  const notice =
    view.notice === 'local'
      ? html`<p class="note info">You signed out of this app only. Your session at the identity provider (${idp.host}) is still active: "Sign in" will bring you straight back without a password.</p>`
      : view.notice === 'global'
        ? html`<p class="note ok">You signed out of this app and of the identity provider. "Sign in" will ask for your password.</p>`
        : '';
  return html`${notice}${view.revocation ? revocationCard(view.revocation) : ''}<h1>Two sessions, side by side</h1>
<p class="lead">Signing in creates two sessions: this app's (a cookie for this site, pointing at server-side state) and the identity provider's single sign-on session (a cookie on ${idp.host}). They end separately.</p>
<div class="grid2">
<div class="card" id="app-session">
<h2>This app's session</h2>
${app
  ? html`<table class="kv">
<tr><td class="k">Cookie</td><td><code>${app.cookieName}</code> · HttpOnly, SameSite=Lax; holds only a random id</td></tr>
<tr><td class="k">Created</td><td>${iso(app.createdAt)}</td></tr>
<tr><td class="k">Idle expiry</td><td>${iso(app.idleExpiresAt)} (${inMinutes(app.idleExpiresAt, view.now)}; each visit pushes it back)</td></tr>
<tr><td class="k">Absolute expiry</td><td>${iso(app.absoluteExpiresAt)} (${inMinutes(app.absoluteExpiresAt, view.now)}; fixed)</td></tr>
<tr><td class="k">Token cache</td><td>${app.tokenCache}</td></tr>
</table>`
  : html`<p class="muted">None: you are not signed in to this app.</p><p><a class="btn" href="/auth/sign-in?returnTo=%2Fsessions">Sign in</a></p>`}
</div>
<div class="card" id="idp-session">
<h2>The identity provider's session</h2>
<p class="small muted">${idp.provider === 'emulator' ? `The entrakit emulator at ${idp.host}: its SSO session for this browser.` : `Entra ID at ${idp.host}: the app sees its session only through the ID token.`}</p>
${app ? verdictNote(idp.verdict) : html`<p class="muted">Unknown until you sign in: the app learns about it only from the identity provider's answers.</p>`}
${idp.verdict
  ? html`<table class="kv">
<tr><td class="k">Sign-in started</td><td>${iso(idp.verdict.startedAt)}</td></tr>
<tr><td class="k">Time at the identity provider</td><td>${Math.max(0, idp.verdict.completedAt - idp.verdict.startedAt)} ms</td></tr>
<tr><td class="k">SSO session</td><td>${idp.verdict.sidSeenBefore === null ? 'no sid in the ID token' : idp.verdict.sidSeenBefore ? `the same one, first seen ${iso(idp.verdict.ssoSessionSeenAt ?? idp.verdict.startedAt)}` : 'a new one, started at this sign-in'}</td></tr>
<tr><td class="k">auth_time</td><td>${idp.verdict.authTime === null ? 'not in the ID token (an optional claim in Entra)' : iso(idp.verdict.authTime * 1000)}</td></tr>
${idp.idToken ? html`<tr><td class="k">ID token issued (iat)</td><td>${idp.idToken.iat === null ? 'unknown' : iso(idp.idToken.iat * 1000)}</td></tr>
<tr><td class="k">amr</td><td>${idp.idToken.amr ? idp.idToken.amr.join(', ') : 'not in the ID token (Entra puts it in access tokens)'}</td></tr>` : ''}
<tr><td class="k">client-request-id</td><td class="v mono">${idp.verdict.correlationId}</td></tr>
</table>`
  : ''}
${idp.log
  ? idp.log.available
    ? html`<h3>The identity provider's own log</h3><table class="kv">${idp.log.entries.map((e) => html`<tr><td class="k">${e.endpoint}</td><td>${e.outcome}${e.aadsts ? html` <span class="badge bad">AADSTS${e.aadsts}</span>` : ''} · ${e.why.join('; ')}</td></tr>`)}</table>`
    : html`<p class="small muted">Identity provider's log: ${idp.log.reason}</p>`
  : ''}
</div>
</div>
<div class="card" id="sign-outs">
<h2>What each sign-out ends</h2>
<div class="scroll"><table><tr><th></th><th>App session</th><th>Cached tokens</th><th>IdP SSO session</th><th>Other apps</th></tr>
${SIGN_OUTS.map((row) => html`<tr><td class="k">${row.name}</td><td>${mark(row.app)}</td><td>${mark(row.cache)}</td><td>${mark(row.idp)}</td><td>${row.others ? html`<span class="badge ok">told (front-channel)</span>` : html`<span class="badge">stay</span>`}</td></tr>`)}
</table></div>
${view.csrf
  ? html`<div class="actions mt">
<form method="post" action="/auth/sign-out/local"><input type="hidden" name="csrf" value="${view.csrf}"><button class="btn secondary" type="submit">Sign out of this app</button></form>
<form method="post" action="/auth/sign-out/global"><input type="hidden" name="csrf" value="${view.csrf}"><button class="btn danger" type="submit">Sign out everywhere</button></form>
</div>
<div class="actions mt" id="revoke"><form method="post" action="/sessions/revoke"><p>Revoking calls Microsoft Graph's <code>revokeSignInSessions</code> for you: every refresh token and SSO session issued before now stops working, and Graph refuses this app's access tokens at once with a claims challenge (Continuous Access Evaluation), which the app follows by signing you in again.</p><input type="hidden" name="csrf" value="${view.csrf}"><button class="btn danger" type="submit">Revoke my sessions</button></form></div>`
  : ''}
</div>`;
}
