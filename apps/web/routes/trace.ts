import type { Hono } from 'hono';
import type { AppEnv, WebDeps } from '../context.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { render } from '../views/render.ts';
import { tracePage } from '../views/trace-page.ts';

/** GET /trace: the session's sign-in as a timeline and a sequence diagram. */
export function traceRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/trace', requireSignIn(), async function showTrace(c) {
    const trace = await deps.stores.traces.get(c.get('session')!.data.traceId);
    return render(c, 'Trace', 'trace', tracePage(trace));
  });
}
