import type { Hono } from 'hono';
import { AadError } from '../protocol/aad-error.ts';
import { redirectingErrors, sendErrorPage } from '../sign-in/authorization-response.ts';
import { consentPlan, grantConsent } from '../sign-in/consent-plan.ts';
import { takeTransaction } from '../sign-in/login-transaction.ts';
import { completeSignIn, declineConsent, type FlowDeps } from '../sign-in/sign-in-flow.ts';
import { currentSession } from '../sign-in/sso-session.ts';
import { verifiedForm } from '../sign-in/verified-form.ts';

/** `POST /{tenant}/consent`: the consent page's Accept (grant, then issue the code) or Cancel (access_denied). */
export function consentEndpoint(app: Hono, deps: FlowDeps): void {
  app.post('/:tenant/consent', async (c) => {
    const verified = await verifiedForm(c, deps, ['consent']);
    if (verified instanceof Response) return verified;
    const { form, tx } = verified;
    const active = await currentSession(c, deps);
    // Consent is granted by the user who saw the page: the same SSO session must still be signed in.
    if (!active || active.session.sid !== tx.sid) {
      return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. You are no longer signed in. Go back to the application and sign in again.'));
    }
    const action = form.get('action');
    if (action === 'cancel') {
      if (!(await takeTransaction(deps, tx))) return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. This sign-in request was already completed.'));
      return declineConsent(c, deps, tx.request);
    }
    if (action !== 'accept') return sendErrorPage(c, deps, new AadError(9002313, "Invalid request. The consent form must be answered with 'accept' or 'cancel'."));
    return redirectingErrors(c, deps, tx.request, async () => {
      const plan = consentPlan(deps.directory, tx.request, active.session, { askAll: tx.request.prompt === 'consent' });
      if (plan.adminOnly.length > 0) {
        return sendErrorPage(c, deps, new AadError(90094, `Admin consent is required for the permissions requested by this application: ${plan.adminOnly.join(', ')}.`), 403);
      }
      grantConsent(deps.directory, tx.request.clientId, active.session, plan);
      return completeSignIn(c, deps, tx.request, active, tx, { consented: true });
    });
  });
}
