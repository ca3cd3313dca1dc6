import { html } from 'hono/html';
import { layout } from './layout.ts';
import type { View } from './respond.ts';

/** response_mode=form_post: posts the response to the redirect URI (script, or a button without script). */
export function formPostPage(action: string, fields: Record<string, string>, nonce: string): View {
  return layout(
    'Working...',
    nonce,
    html`<h1>Working...</h1>
<form method="post" action="${action}" id="response">
${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<noscript><p>Script is disabled. Select Continue to return to the application.</p><div class="actions"><button type="submit" class="primary">Continue</button></div></noscript>
</form>
<script nonce="${nonce}">document.getElementById('response').submit();</script>`,
  );
}
