import { html } from 'hono/html';
import type { TraceActor, TraceStep } from '../../shared/trace.ts';
import type { Html } from './layout.ts';

export const ACTOR_LABELS: Record<TraceActor, string> = { browser: 'Browser', app: 'Web app', api: 'entrakit API', idp: 'Entra ID', storage: 'Blob Storage' };
const ORDER: TraceActor[] = ['browser', 'app', 'api', 'idp', 'storage'];
const MARGIN = 110;
const TOP = 64;
const ROW = 44;

function shorten(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * An inline SVG sequence diagram of the trace (no script, no external assets), one lane per actor
 * that takes part. It keeps its size: on a narrow screen its card scrolls sideways.
 */
export function sequenceDiagram(steps: TraceStep[], label = 'Sequence diagram of the sign-in'): Html {
  const height = TOP + steps.length * ROW + 40;
  const present = ORDER.filter((actor) => actor === 'browser' || actor === 'app' || actor === 'idp' || steps.some((step) => step.from === actor || step.to === actor));
  // Five lanes fit a desktop card; on a phone the card scrolls sideways instead of shrinking the text.
  const GAP = present.length > 3 ? 200 : 260;
  const LANES = Object.fromEntries(present.map((actor, index) => [actor, { x: MARGIN + index * GAP, label: ACTOR_LABELS[actor] }])) as Record<TraceActor, { x: number; label: string }>;
  const WIDTH = 2 * MARGIN + (present.length - 1) * GAP;
  const maxLabel = Math.floor(GAP / 6.4);
  const lanes = present.map((actor) => {
    const { x, label } = LANES[actor];
    return html`<rect x="${x - 62}" y="12" width="124" height="32" rx="6" fill="#0f6cbd"/>
<text x="${x}" y="33" text-anchor="middle" fill="#fff" font-size="13" font-weight="600">${label}</text>
<line x1="${x}" y1="44" x2="${x}" y2="${height - 10}" stroke="#c8ced6" stroke-dasharray="4 4"/>`;
  });
  const arrows = steps.map((step, index) => {
    const y = TOP + index * ROW + 24;
    const from = LANES[step.from].x;
    const to = LANES[step.to].x;
    const label = `${index + 1}. ${shorten(step.title, maxLabel)}`;
    if (from === to) {
      return html`<path d="M${from} ${y - 8} h46 v16 h-40" fill="none" stroke="#1b1f24" stroke-width="1.4" marker-end="url(#arrow)"/>
<text x="${from + 54}" y="${y + 4}" font-size="12" fill="#1b1f24">${label}</text>`;
    }
    const withIdp = step.from === 'idp' || step.to === 'idp';
    const color = withIdp ? '#0f6cbd' : '#1b1f24';
    const dashed = step.status !== undefined ? '5 4' : 'none';
    return html`<line x1="${from}" y1="${y}" x2="${to + (to > from ? -6 : 6)}" y2="${y}" stroke="${color}" stroke-width="1.4" stroke-dasharray="${dashed}" marker-end="${withIdp ? 'url(#arrow-idp)' : 'url(#arrow)'}"/>
<text x="${(from + to) / 2}" y="${y - 7}" text-anchor="middle" font-size="12" fill="${color}">${label}</text>`;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${label}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#1b1f24"/></marker>
<marker id="arrow-idp" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#0f6cbd"/></marker></defs>
${lanes}
${arrows}
</svg>`;
}
