import { html } from 'hono/html';
import type { LabResult } from '../lab/run-lab.ts';
import type { Html } from './layout.ts';

export type LabView =
  | { kind: 'intro'; apiUrl: string }
  | { kind: 'problem'; apiUrl: string; message: string }
  | { kind: 'results'; apiUrl: string; results: LabResult[] };

function value(v: unknown): string {
  if (typeof v === 'number' && v > 1_000_000_000 && v < 10_000_000_000) return `${v} (${new Date(v * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')})`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function resultCard(result: LabResult): Html {
  const accepted = result.api.status === 200;
  return html`<div class="card lab-result" data-lab="${result.id}">
<h2>${result.title} <span class="badge ${accepted ? 'ok' : 'bad'}">API: HTTP ${result.api.status} ${accepted ? 'accepted' : `refused at ${result.api.check}`}</span></h2>
<p class="small">${result.change}</p>
<div class="grid2">
<div><h3>What the API said</h3>
<table class="kv">
<tr><td class="k">Status</td><td>${result.api.status}</td></tr>
<tr><td class="k">Check</td><td>${result.api.check}</td></tr>
${result.api.description ? html`<tr><td class="k">error_description</td><td class="v">${result.api.description}</td></tr>` : ''}
${result.api.wwwAuthenticate ? html`<tr><td class="k">WWW-Authenticate</td><td class="v mono">${result.api.wwwAuthenticate}</td></tr>` : ''}
</table>
<p class="small muted">${result.defence}</p></div>
<div><h3>A decode-only validator</h3>
<p><span class="badge ${result.naive.accepted ? 'warn' : 'ok'}">${result.naive.accepted ? 'would have accepted it' : 'could not read it'}</span></p>
<p class="small muted">${result.naive.note}</p>
<table class="kv">
<tr><td class="k">header</td><td class="v mono">alg ${value(result.sent.header['alg'])}${result.sent.header['kid'] !== undefined ? `, kid ${value(result.sent.header['kid'])}` : ''}</td></tr>
${Object.entries(result.naive.claims).map(([name, v]) => html`<tr><td class="k"><code>${name}</code></td><td class="v">${value(v)}</td></tr>`)}
</table></div>
</div>
</div>`;
}

export function labPage(view: LabView): Html {
  const intro = html`<h1>Break it: tamper with your own token</h1>
<p class="lead">The app takes <strong>your</strong> access token for the API, alters it here on the server (claims, signature, algorithm, key id; or swaps in your ID token or Graph token),
sends each one to <code>GET ${view.apiUrl}/api/me</code>, and shows how the API refused it, next to what a validator that only decodes the token would have believed.
The real token never reaches this page: only the altered claims and the API's answers do.</p>`;
  if (view.kind === 'intro') {
    return html`${intro}<div class="card"><p>Running the lab changes nothing: it only sends requests to the API.</p><p><a class="btn" href="/lab?run=1">Run the attacks</a></p></div>`;
  }
  if (view.kind === 'problem') return html`${intro}<div class="card"><p class="note warn">${view.message}</p></div>`;
  const refused = view.results.filter((result) => result.api.status !== 200 && result.id !== 'original').length;
  const tampered = view.results.filter((result) => result.id !== 'original').length;
  return html`${intro}
<p class="note ${refused === tampered ? 'ok' : 'bad'}">The API refused ${refused} of ${tampered} tampered tokens${refused === tampered ? '' : ' (it must refuse all of them)'}; a decode-only validator would have accepted ${view.results.filter((r) => r.id !== 'original' && r.naive.accepted).length}.</p>
${view.results.map(resultCard)}
<p><a class="btn secondary" href="/lab?run=1">Run again</a></p>`;
}
