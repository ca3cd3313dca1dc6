import { html } from 'hono/html';
import type { SignInTrace, TraceStep } from '../../shared/trace.ts';
import type { Html } from './layout.ts';
import { ACTOR_LABELS as ACTOR, sequenceDiagram } from './sequence-diagram.ts';

export function tracePage(trace: SignInTrace | undefined): Html {
  if (!trace) {
    return html`<h1>Sign-in trace</h1><p class="note info">No trace is recorded for this session. Sign in again to record one.</p>`;
  }
  return html`<h1>Your last sign-in, step by step</h1>
<p class="lead">Every HTTP exchange of the sign-in, as recorded by the app (the token endpoint calls through MSAL's network client). Secrets, codes and token signatures are redacted.</p>
${verdict(trace.steps)}
<div class="card diagram"><h2>Sequence</h2>${sequenceDiagram(trace.steps)}</div>
${traceTimeline(trace)}`;
}

/** The sign-in's password-or-SSO verdict (a step the callback records), said first and plainly. */
function verdict(steps: TraceStep[]): Html | string {
  const step = steps.find((s) => s.from === 'idp' && s.to === 'app' && /^(SSO: no password asked|Password asked\??)$/.test(s.title));
  if (!step) return '';
  return html`<div class="note ${step.title.startsWith('SSO') ? 'info' : 'ok'}"><p class="verdict">${step.notes[0] ?? ''}</p><p class="small">Why: ${step.notes[1] ?? ''}</p></div>`;
}

/** Every step with its fields and notes (redacted already). */
export function traceTimeline(trace: { startedAt: number; steps: TraceStep[] }): Html {
  return html`<div class="card"><h2>Timeline</h2>
<ol class="timeline">
${trace.steps.map(
  (step) => html`<li class="step">
<div class="step-head"><strong>${step.title}</strong><span class="badge">${ACTOR[step.from]} → ${ACTOR[step.to]}</span>${step.status !== undefined ? html`<span class="badge ${step.status < 400 ? 'ok' : 'bad'}">HTTP ${step.status}</span>` : ''}<span class="muted small">+${Math.max(0, step.at - trace.startedAt)} ms</span></div>
${step.url ? html`<p class="step-url mono">${step.url}</p>` : ''}
${step.fields.length > 0
  ? html`<table class="fields"><colgroup><col class="c1"><col class="c2"><col class="c3"></colgroup>${step.fields.map((field) => html`<tr><td class="k"><code>${field.name}</code></td><td class="v">${field.value}</td><td class="m">${field.note ?? ''}</td></tr>`)}</table>`
  : ''}
${step.notes.length > 0 ? html`<ul class="notes">${step.notes.map((note) => html`<li>${note}</li>`)}</ul>` : ''}
</li>`,
)}
</ol></div>`;
}
