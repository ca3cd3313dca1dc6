import { html } from 'hono/html';
import type { ClaimExplanation } from 'entrakit';
import type { CachedRefreshToken } from 'entrakit/web';
import type { Html } from './layout.ts';
import { tokenComparison } from './token-comparison.ts';

export interface DecodedTokenView {
  header: Record<string, unknown>;
  claims: ClaimExplanation[];
}

export type AccessTokenView = DecodedTokenView & { scopes: string[]; forGraph: boolean; kind: string; raw: Record<string, unknown> };

export interface TokensView {
  now: number;
  idToken: DecodedTokenView & { checks: Array<{ name: string; detail: string }>; kind: string; raw: Record<string, unknown> };
  accessToken: AccessTokenView | { error: string };
  apiToken: AccessTokenView | { error: string; consentHref?: string };
  storageToken: { claims: ClaimExplanation[]; raw: Record<string, unknown>; kind: string } | { error: string };
  refreshTokens: CachedRefreshToken[];
}

const TIME_CLAIMS = new Set(['iat', 'nbf', 'exp', 'auth_time']);
const GROUPS: Array<{ title: string; categories: string[] }> = [
  { title: 'Who the user is', categories: ['identity'] },
  { title: 'What the app may do', categories: ['authorization'] },
  { title: 'About the token itself', categories: ['token', 'unknown'] },
];

function formatValue(name: string, value: unknown): string {
  if (TIME_CLAIMS.has(name) && typeof value === 'number') return `${value} (${new Date(value * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')})`;
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function expiryText(expSec: unknown, now: number): string {
  if (typeof expSec !== 'number') return 'no expiry claim';
  const minutes = Math.round((expSec * 1000 - now) / 60_000);
  const span = (m: number) => (Math.abs(m) >= 120 ? `${Math.round(Math.abs(m) / 60)} h` : `${Math.abs(m)} min`);
  return minutes >= 0 ? `expires in ${span(minutes)}` : `expired ${span(minutes)} ago`;
}

function claimTables(claims: ClaimExplanation[]): Html {
  return html`${GROUPS.map((group) => {
    const rows = claims.filter((claim) => group.categories.includes(claim.category));
    if (rows.length === 0) return '';
    return html`<h3>${group.title}</h3>
<table class="claims"><colgroup><col class="c1"><col class="c2"><col class="c3"></colgroup><tr><th>Claim</th><th>Value</th><th>Meaning</th></tr>
${rows.map((claim) => html`<tr><td class="k"><code>${claim.name}</code></td><td class="v">${formatValue(claim.name, claim.value)}</td><td class="m">${claim.meaning}</td></tr>`)}
</table>`;
  })}`;
}

function headerLine(header: Record<string, unknown>): Html {
  return html`<p class="token-header">Header: ${Object.entries(header).map(([k, v]) => html`<code>${k}</code>: <code>${formatValue(k, v)}</code> · `)}signature not shown</p>`;
}

function claimValue(token: DecodedTokenView, name: string): unknown {
  return token.claims.find((claim) => claim.name === name)?.value;
}

export function tokensPage(view: TokensView): Html {
  const { idToken, accessToken } = view;
  return html`<h1>Your tokens, decoded</h1>
<p class="lead">What Entra ID issued at sign-in. Only decoded claims are shown: the tokens themselves and their signatures never leave the server.</p>
<div class="card">
<h2>ID token <span class="badge">${expiryText(claimValue(idToken, 'exp'), view.now)}</span></h2>
<p class="small kind"><strong>Kind:</strong> ${idToken.kind}</p>
<p class="muted small">Proves who signed in, to this app (its audience is this app's client id). Validated once, at sign-in, before the session existed; it is not sent anywhere.</p>
${headerLine(idToken.header)}
<h3>Validation checks passed</h3>
<ul class="checks">${idToken.checks.map((check) => html`<li><span class="badge ok">✓ ${check.name}</span><span>${check.detail}</span></li>`)}</ul>
${claimTables(idToken.claims)}
</div>
<div class="card">
${'error' in accessToken
  ? html`<h2>Graph access token</h2><p class="note warn">${accessToken.error}</p>`
  : html`<h2>Graph access token <span class="badge">${expiryText(claimValue(accessToken, 'exp'), view.now)}</span></h2>
<p class="small kind"><strong>Kind:</strong> ${accessToken.kind}</p>
<p class="muted small">Lets the app call an API as you (scopes: <code>${accessToken.scopes.join(' ')}</code>). Taken from your encrypted token cache; MSAL refreshes it silently.</p>
${accessToken.forGraph
  ? html`<div class="note warn"><strong>This app must not validate this token.</strong> It is a Microsoft Graph token: its audience
is Graph (<code>${formatValue('aud', claimValue(accessToken, 'aud'))}</code>), not this app, so only Graph may judge it.
${'nonce' in accessToken.header ? 'Its header also carries a nonce that Graph hashes before checking the signature, so anyone else who "validates" it sees an invalid signature. ' : ''}The app treats it as an opaque string it forwards to Graph.</div>`
  : ''}
${headerLine(accessToken.header)}
${claimTables(accessToken.claims)}`}
</div>
${apiCard(view)}
${storageCard(view)}
${refreshCard(view.refreshTokens)}
${tokenComparison([
  { name: 'ID token', claims: idToken.raw },
  { name: 'Graph', claims: 'error' in accessToken ? undefined : accessToken.raw },
  { name: 'API', claims: 'error' in view.apiToken ? undefined : view.apiToken.raw },
  { name: 'Storage (OBO)', claims: 'error' in view.storageToken ? undefined : view.storageToken.raw },
])}`;
}

function apiCard(view: TokensView): Html {
  const token = view.apiToken;
  if ('error' in token) {
    return html`<div class="card" id="api-token"><h2>entrakit API access token</h2><p class="note info">${token.error}</p>${token.consentHref ? html`<p><a class="btn" href="${token.consentHref}">Consent to the API</a></p>` : ''}</div>`;
  }
  return html`<div class="card" id="api-token"><h2>entrakit API access token <span class="badge">${expiryText(claimValue(token, 'exp'), view.now)}</span></h2>
<p class="small kind"><strong>Kind:</strong> ${token.kind}</p>
<p class="muted small">For the entrakit API: its audience is the API's client id, <code>scp</code> is <code>${String(claimValue(token, 'scp') ?? '')}</code>. The API validates it in full (see Break it).</p>
${headerLine(token.header)}
${claimTables(token.claims)}</div>`;
}

function storageCard(view: TokensView): Html {
  const token = view.storageToken;
  if ('error' in token) return html`<div class="card" id="storage-token"><h2>Storage token (On-Behalf-Of)</h2><p class="note info">${token.error}</p></div>`;
  return html`<div class="card" id="storage-token"><h2>Storage token (On-Behalf-Of) <span class="badge">${expiryText(token.raw['exp'], view.now)}</span></h2>
<p class="small kind"><strong>Kind:</strong> ${token.kind}</p>
<p class="muted small">The API exchanged your API token for this one and used it against Blob Storage. It never left the API: these are the claims the API reported. Note <code>appid</code> = the API and the same <code>oid</code> as yours.</p>
${claimTables(token.claims)}</div>`;
}

function refreshCard(tokens: CachedRefreshToken[]): Html {
  return html`<div class="card" id="refresh-token"><h2>Refresh token (metadata only)</h2>
<p class="muted small">Opaque to the app: it is not a JWT, and its value is never shown. MSAL redeems it silently at the token endpoint for new access tokens; the identity provider decides its lifetime (90 days, sliding, for web apps) and revokes it at "Sign out everywhere", password resets and admin revocation.</p>
${tokens.length === 0
  ? html`<p class="note info">No refresh token in your cache.</p>`
  : html`<table class="kv">${tokens.map((t) => html`<tr><td class="k">Issued to</td><td class="v">${t.clientId}</td></tr>
<tr><td class="k">Issuer host</td><td>${t.environment}</td></tr>
<tr><td class="k">Family</td><td>${t.familyId ?? 'none'}</td></tr>
<tr><td class="k">Cached</td><td>${t.cachedAt ?? 'unknown'}</td></tr>
<tr><td class="k">Value</td><td>[hidden, ${t.valueLength} characters]</td></tr>`)}</table>`}
</div>`;
}
