import type { Context } from 'hono';
import { AadError } from '../protocol/aad-error.ts';
import { sendErrorPage } from './authorization-response.ts';
import { readBrowserId } from './cookies.ts';
import { loadTransaction, verifyCsrfToken, type LoginTransaction } from './login-transaction.ts';
import { readRequestParams, singleParam } from './request-params.ts';
import type { FlowDeps } from './sign-in-flow.ts';

/**
 * The posted form, its transaction (started by this browser) and a valid CSRF token, or the
 * error page: an unknown transaction is 400, a missing or wrong token 403.
 */
export async function verifiedForm(c: Context, deps: FlowDeps, stages: Array<LoginTransaction['stage']>): Promise<{ form: URLSearchParams; tx: LoginTransaction; browserId: string } | Response> {
  let form: URLSearchParams;
  try {
    if (c.req.method !== 'POST') throw new AadError(9002313, 'Invalid request. Use POST.');
    form = await readRequestParams(c);
    singleParam(form, 'tx', 64);
    singleParam(form, 'csrf', 128);
  } catch (error) {
    if (error instanceof AadError) return sendErrorPage(c, deps, error);
    throw error;
  }
  const browserId = readBrowserId(c);
  const tx = await loadTransaction(deps, form.get('tx') ?? undefined, browserId);
  if (!tx || !browserId || !stages.includes(tx.stage) || tx.request.authority.segment.toLowerCase() !== (c.req.param('tenant') ?? '').toLowerCase()) {
    return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. The sign-in request is unknown or has expired. Go back to the application and sign in again.'));
  }
  if (!verifyCsrfToken(deps.cookieSecret, tx.id, browserId, form.get('csrf') ?? undefined)) {
    return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. The form could not be verified (missing or wrong CSRF token). Go back to the application and sign in again.'), 403);
  }
  return { form, tx, browserId };
}
