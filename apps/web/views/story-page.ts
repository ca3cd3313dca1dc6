import { html } from 'hono/html';
import type { TraceStep } from '../../shared/trace.ts';
import type { Html } from './layout.ts';
import { renderMarkdown } from './markdown.ts';
import { sequenceDiagram } from './sequence-diagram.ts';
import { traceTimeline } from './trace-page.ts';

export type StoryTraceView = { traceId: string; startedAt: number; steps: TraceStep[] };

export type StoryView =
  | { kind: 'story'; apiUrl: string; scope: string; markdown: string; trace: StoryTraceView; csrf: string; notice?: string }
  | { kind: 'empty'; apiUrl: string; scope: string; trace?: StoryTraceView; notice?: string }
  | { kind: 'problem'; apiUrl: string; scope: string | undefined; message: string; detail?: string; trace?: StoryTraceView };

function traceCards(trace: StoryTraceView): Html {
  return html`<div class="card diagram" id="story-trace"><h2>This call, traced end to end</h2>
<p class="small muted">One W3C trace id, <code>${trace.traceId}</code>, from the browser's request through the web app, the API, the token endpoint (On-Behalf-Of) and Blob Storage. Tokens are shown as their claims only.</p>
${sequenceDiagram(trace.steps, 'Sequence diagram of the Story call')}</div>
${traceTimeline(trace)}`;
}

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
    return html`${intro}<div class="card"><p class="note warn">${view.message}</p>${view.detail ? html`<p class="small muted mono">${view.detail}</p>` : ''}</div>${view.trace ? traceCards(view.trace) : ''}`;
  }
  const notice = view.notice ? html`<p class="note ok" role="status">${view.notice}</p>` : '';
  if (view.kind === 'empty') return html`${intro}${notice}<div class="card"><p>You have no story (<code>entrakit dev</code> seeds one per user when it starts).</p></div>${view.trace ? traceCards(view.trace) : ''}`;
  return html`${intro}${notice}<div class="card story"><h2>From the API</h2><div class="doc">${renderMarkdown(view.markdown)}</div></div>${dangerZone(view.csrf)}${traceCards(view.trace)}`;
}
