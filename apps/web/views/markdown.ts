import { html } from 'hono/html';
import type { Html } from './layout.ts';

/**
 * A story's Markdown as HTML, for a small safe subset: headings, paragraphs, bullet and numbered
 * lists, **bold**, *italic* and `code`. Every piece of text is escaped by hono's html template;
 * links and raw HTML are shown as text, so a story cannot inject markup or script.
 */
export function renderMarkdown(markdown: string): Html {
  const blocks: Html[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | undefined;
  const flush = () => {
    if (paragraph.length > 0) blocks.push(html`<p>${inline(paragraph.join(' '))}</p>`);
    paragraph = [];
    if (list) blocks.push(list.ordered ? html`<ol>${list.items.map((item) => html`<li>${inline(item)}</li>`)}</ol>` : html`<ul>${list.items.map((item) => html`<li>${inline(item)}</li>`)}</ul>`);
    list = undefined;
  };
  for (const line of lines) {
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = (heading[1] ?? '#').length;
      const text = inline(heading[2] ?? '');
      blocks.push(level === 1 ? html`<h2>${text}</h2>` : level === 2 ? html`<h3>${text}</h3>` : html`<h4>${text}</h4>`);
    } else if (bullet || numbered) {
      const ordered = numbered !== null;
      if (paragraph.length > 0 || (list && list.ordered !== ordered)) flush();
      list ??= { ordered, items: [] };
      list.items.push((bullet ?? numbered)?.[1] ?? '');
    } else if (line.trim() === '') {
      flush();
    } else {
      if (list) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return html`${blocks}`;
}

/** **bold**, *italic*, `code`; everything else is text. */
function inline(text: string): Html {
  const parts: Array<Html | string> = [];
  const pattern = /(\*\*[^*]+\*\*|`[^`]+`|\*[^*\s][^*]*\*|_[^_\s][^_]*_)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const token = match[0];
    parts.push(text.slice(last, match.index));
    if (token.startsWith('**')) parts.push(html`<strong>${token.slice(2, -2)}</strong>`);
    else if (token.startsWith('`')) parts.push(html`<code>${token.slice(1, -1)}</code>`);
    else parts.push(html`<em>${token.slice(1, -1)}</em>`);
    last = (match.index ?? 0) + token.length;
  }
  parts.push(text.slice(last));
  return html`${parts}`;
}
