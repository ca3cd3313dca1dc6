import type { WebContext } from '../context.ts';
import { layout } from './layout.ts';
import type { Html, NavKey } from './layout.ts';

/** Wraps a page body in the layout for this request (nonce, user) and sends it. */
export function render(c: WebContext, title: string, active: NavKey, body: Html, status = 200): Response | Promise<Response> {
  const session = c.get('session');
  const user = session ? { name: session.data.name, username: session.data.username } : undefined;
  return c.html(layout({ title, nonce: c.get('cspNonce'), active, user }, body), status as 200);
}
