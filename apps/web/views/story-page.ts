import { html } from 'hono/html';
import type { Html } from './layout.ts';

export type StoryView =
  | { kind: 'story'; apiUrl: string; scope: string; markdown: string; csrf: string; notice?: string }
  | { kind: 'empty'; apiUrl: string; scope: string; notice?: string }
  | { kind: 'problem'; apiUrl: string; scope: string | undefined; message: string; detail?: string };

/** The Danger zone: deleting asks the API, which demands authentication context c1 (a second factor). */
function dangerZone(csrf: string): Html {
  return html`<div class="card danger-zone"><h2>Danger zone</h2>
<p class="small">Deleting calls <code>DELETE /api/story</code>, which requires the authentication context <code>c1</code> (multi-factor).
Without it the API answers <code>401</code> with a claims challenge (<code>error="insufficient_claims"</code>); the app then sends you to sign in with those claims, the identity provider asks for your second factor, and the app retries the delete.</p>
<form method="post" action="/story/delete"><input type="hidden" name="csrf" value="${csrf}"><button class="btn danger" type="submit">Delete my story</button></form></div>`;
}

export function storyPage(view: StoryView): Html {
  const intro = html`<h1>Your story</h1>
<p class="lead">The app asks MSAL for a token for the entrakit API (${view.scope ? html`scope <code>${view.scope}</code>` : 'no API_SCOPE configured'}) and calls
<code>GET ${view.apiUrl}/api/story</code> with it. The API validates the token and reads your story from blob storage on your behalf (On-Behalf-Of).</p>`;
  if (view.kind === 'problem') {
    return html`${intro}<div class="card"><p class="note warn">${view.message}</p>${view.detail ? html`<p class="small muted mono">${view.detail}</p>` : ''}</div>`;
  }
  const notice = view.notice ? html`<p class="note" role="status">${view.notice}</p>` : '';
  if (view.kind === 'empty') return html`${intro}${notice}<div class="card"><p>You have no story (<code>entrakit dev</code> seeds one per user when it starts).</p></div>`;
  return html`${intro}${notice}<div class="card"><h2>From the API</h2><pre class="doc">${view.markdown}</pre></div>${dangerZone(view.csrf)}`;
}
