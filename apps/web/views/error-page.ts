import { html } from 'hono/html';
import type { Html } from './layout.ts';

export interface ErrorView {
  status: number;
  code: string;
  title: string;
  explanation: string;
  /** The AADSTS code from the identity provider, with its explanation when known. */
  aadsts?: { code: string; explanation: string | undefined; description: string };
  action: { href: string; label: string };
  /** True for refused sign-ins and forged requests: say so, it is what the reader worries about. */
  sessionUnchanged: boolean;
}

export function errorPage(view: ErrorView): Html {
  return html`<h1>${view.title}</h1>
<p class="lead">${view.explanation}</p>
${view.aadsts
  ? html`<div class="card"><h2>What the identity provider said</h2>
<table>
<tr><td class="k">Error code</td><td><span class="badge bad">AADSTS${view.aadsts.code}</span></td></tr>
<tr><td class="k">Meaning</td><td>${view.aadsts.explanation ?? 'Look the code up at https://login.microsoftonline.com/error?code=' + view.aadsts.code}</td></tr>
<tr><td class="k">Description</td><td class="m">${view.aadsts.description}</td></tr>
</table></div>`
  : ''}
<div class="card">
<table>
<tr><td class="k">entrakit code</td><td><code>${view.code}</code></td></tr>
<tr><td class="k">HTTP status</td><td>${view.status}</td></tr>
${view.sessionUnchanged ? html`<tr><td class="k">Session</td><td>No session was created or changed.</td></tr>` : ''}
</table>
</div>
<p><a class="btn" href="${view.action.href}">${view.action.label}</a></p>`;
}
