import { html } from 'hono/html';
import type { Html } from './layout.ts';

export interface ComparedToken {
  name: string;
  claims: Record<string, unknown> | undefined;
}

/** The claims that differ between the tokens, each with why. */
const ROWS: Array<{ claim: string; why: string }> = [
  { claim: 'aud', why: 'Who the token is for: the ID token for this app, each access token for one API (Graph, the entrakit API, Storage). An API must refuse any other audience.' },
  { claim: 'iss', why: 'v2 tokens name login.microsoftonline.com/{tid}/v2.0; v1 tokens sts.windows.net/{tid}/. The version follows the API\'s registration, not the app\'s request.' },
  { claim: 'ver', why: 'The entrakit API asks for v2 tokens; Graph and Storage still get v1.' },
  { claim: 'azp', why: 'v2: the app that asked for the token (this web app for the API token).' },
  { claim: 'appid', why: 'v1: the app that asked. For the Storage token it is the API, because the API asked On-Behalf-Of you.' },
  { claim: 'azpacr', why: 'v2: how that app authenticated (0 public, 1 secret, 2 certificate).' },
  { claim: 'appidacr', why: 'v1: how that app authenticated (0 public, 1 secret, 2 certificate).' },
  { claim: 'scp', why: 'Delegated permissions granted for this audience; an ID token has none.' },
  { claim: 'oid', why: 'The same user in every token: On-Behalf-Of keeps the user, it changes the audience and the calling app.' },
  { claim: 'sub', why: 'Pairwise: different for each app (client id), so it differs between tokens for different apps.' },
  { claim: 'tid', why: 'The tenant: the same everywhere here.' },
  { claim: 'nonce', why: 'Only in the first ID token of a sign-in (replay protection); access tokens never carry it in their claims.' },
  { claim: 'exp', why: 'Each token has its own lifetime; the app renews access tokens silently with the refresh token.' },
];

function cell(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'number' && value > 1_000_000_000) return new Date(value * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function tokenComparison(tokens: ComparedToken[]): Html {
  const shown = tokens.filter((token) => token.claims !== undefined);
  return html`<div class="card" id="token-comparison"><h2>Side by side: how the claims differ, and why</h2>
<div class="scroll"><table class="compare"><tr><th>Claim</th>${shown.map((token) => html`<th>${token.name}</th>`)}<th>Why</th></tr>
${ROWS.map((row) => {
  const values = shown.map((token) => cell(token.claims?.[row.claim]));
  const same = values.every((value) => value === values[0]);
  return html`<tr class="${same ? 'same' : 'differs'}"><td class="k"><code>${row.claim}</code></td>${values.map((value) => html`<td class="v">${value}</td>`)}<td class="m">${row.why}</td></tr>`;
})}
</table></div></div>`;
}
