import type { Context } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { AadError } from '../protocol/aad-error.ts';
import { redirectingErrors, sendAuthorizationError, sendAuthorizationResponse, sendErrorPage } from './authorization-response.ts';
import type { AuthorizeRequest } from './authorize-request.ts';
import { ensureBrowserId } from './cookies.ts';
import { consentPlan } from './consent-plan.ts';
import { frontChannelResponse } from './front-channel-response.ts';
import { createTransaction, saveTransaction, takeTransaction, type LoginTransaction } from './login-transaction.ts';
import { showConsent } from './pages.ts';
import { askSecondFactor, secondFactorDue } from './second-factor.ts';
import { saveSsoSession, withClient, type ActiveSession } from './sso-session.ts';

export type FlowDeps = Pick<EmulatorDeps, 'directory' | 'state' | 'clock' | 'publicUrl' | 'cookieSecret' | 'keys' | 'switches'>;

/**
 * The user is signed in (by password, account choice or SSO): ask for consent when needed,
 * otherwise end the transaction and send the code to the app.
 */
export function completeSignIn(c: Context, deps: FlowDeps, request: AuthorizeRequest, active: ActiveSession, tx: LoginTransaction | undefined, options: { consented: boolean }): Promise<Response> {
  return redirectingErrors(c, deps, request, async () => {
    const { session, user } = active;
    if (secondFactorDue(deps, request, active)) return askSecondFactor(c, deps, request, active, tx);
    if (!options.consented) {
      const plan = consentPlan(deps.directory, request, session, { askAll: request.prompt === 'consent' });
      if (plan.permissions.length > 0) {
        if (request.prompt === 'none') {
          throw new AadError(
            65001,
            `The user or administrator has not consented to use the application with ID '${request.clientId}' named '${request.appDisplayName}'. Send an interactive authorization request for this user and resource.`,
            { error: 'consent_required' },
          );
        }
        if (plan.adminOnly.length > 0) {
          if (tx) await takeTransaction(deps, tx);
          return sendErrorPage(c, deps, new AadError(90094, `Admin consent is required for the permissions requested by this application: ${plan.adminOnly.join(', ')}.`), 403);
        }
        const browserId = ensureBrowserId(c);
        const consentTx = tx ? { ...tx, stage: 'consent' as const, sid: session.sid } : await createTransaction(deps, request, browserId, 'consent', session.sid);
        if (tx) await saveTransaction(deps, consentTx);
        return showConsent(c, deps, consentTx, browserId, user, plan.permissions);
      }
    }
    if (tx && !(await takeTransaction(deps, tx))) {
      return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. This sign-in request was already completed. Go back to the application and sign in again.'));
    }
    const updated = withClient(session, { clientId: request.clientId, frontchannelLogoutUri: request.frontchannelLogoutUri });
    await saveSsoSession(deps, updated);
    const fields = await frontChannelResponse(deps, request, updated, user);
    return sendAuthorizationResponse(c, request, fields, { session_state: updated.sid });
  });
}

/** The user declined on the consent page (AADSTS65004, access_denied). */
export function declineConsent(c: Context, deps: FlowDeps, request: AuthorizeRequest): Promise<Response> {
  return sendAuthorizationError(c, deps, request, new AadError(65004, 'User declined to consent to access the app.'));
}
