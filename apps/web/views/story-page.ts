import { html } from 'hono/html';
import type { Html } from './layout.ts';

export type StoryView =
  | { kind: 'story'; apiUrl: string; scope: string; markdown: string }
  | { kind: 'problem'; apiUrl: string; scope: string | undefined; message: string; detail?: string };

export function storyPage(view: StoryView): Html {
  const intro = html`<h1>Your story</h1>
<p class="lead">The app asks MSAL for a token for the entrakit API (${view.scope ? html`scope <code>${view.scope}</code>` : 'no API_SCOPE configured'}) and calls
<code>GET ${view.apiUrl}/api/story</code> with it. The API validates the token and reads your story from blob storage on your behalf (On-Behalf-Of).</p>`;
  if (view.kind === 'problem') {
    return html`${intro}<div class="card"><p class="note warn">${view.message}</p>${view.detail ? html`<p class="small muted mono">${view.detail}</p>` : ''}</div>`;
  }
  return html`${intro}<div class="card"><h2>From the API</h2><pre class="doc">${view.markdown}</pre></div>`;
}
