import { html } from 'hono/html';
import type { AadErrorHelp } from '../protocol/aad-error-help.ts';
import type { View } from './respond.ts';
import { wideLayout } from './wide-layout.ts';

export interface ErrorExplanationModel {
  /** The code asked for, with its help when the emulator knows it. */
  asked?: { code: string; error?: string; help?: AadErrorHelp };
  all: Array<{ code: number; error: string; help: AadErrorHelp }>;
}

/** `/error?code=N`: what an AADSTS code means and how to fix it, then every code the emulator emits. */
export function errorExplanationPage(model: ErrorExplanationModel, nonce: string): View {
  const asked = model.asked;
  // AADSTS codes are numbers: anything else was never a code, known or not.
  const notACode = asked !== undefined && !/^\d+$/.test(asked.code);
  return wideLayout(
    asked && !notACode ? `AADSTS${asked.code}` : 'AADSTS error codes',
    nonce,
    html`${
      notACode
        ? html`<h1>Not an AADSTS code</h1><section><p><code>${asked.code}</code> is not an AADSTS code: AADSTS codes are numbers, as in <a href="/error?code=50011"><code>/error?code=50011</code></a> (or <code>?code=AADSTS50011</code>).</p></section>`
        : asked
        ? asked.help
          ? html`<h1>AADSTS${asked.code}: ${asked.help.title}</h1>
<section><p><strong>OAuth error</strong> <code>${asked.error ?? ''}</code></p>
<p><strong>Why</strong> ${asked.help.cause}</p>
<p><strong>Fix</strong> ${asked.help.fix}</p>
<p class="muted">The <a href="/_admin/requests">request log</a> shows which request got this code and the emulator's reasons.</p></section>`
          : html`<h1>AADSTS${asked.code}</h1><section><p>This emulator never answers with this code. Real Entra ID may: see Microsoft's error code reference.</p></section>`
        : html`<h1>AADSTS error codes</h1>`
    }
<h2>Every code this emulator answers with</h2>
<section><table><thead><tr><th>Code</th><th>OAuth error</th><th>Meaning</th></tr></thead><tbody>
${model.all.map((e) => html`<tr id="${e.code}"><td><a href="/error?code=${e.code}">AADSTS${e.code}</a></td><td><code>${e.error}</code></td><td><strong>${e.help.title}.</strong> ${e.help.cause}</td></tr>`)}
</tbody></table></section>`,
  );
}
