import type { Context, Hono } from 'hono';
import type { User } from '../directory/types.ts';
import { AadError } from '../protocol/aad-error.ts';
import { sendErrorPage } from '../sign-in/authorization-response.ts';
import type { AuthorizeRequest } from '../sign-in/authorize-request.ts';
import { setSsoCookie } from '../sign-in/cookies.ts';
import { saveTransaction, type LoginTransaction } from '../sign-in/login-transaction.ts';
import { showLoginForm } from '../sign-in/pages.ts';
import { completeSignIn, type FlowDeps } from '../sign-in/sign-in-flow.ts';
import { currentSession, startSsoSession } from '../sign-in/sso-session.ts';
import { checkSecondFactor } from '../sign-in/second-factor.ts';
import { verifiedForm } from '../sign-in/verified-form.ts';

const BAD_CREDENTIALS = { code: 50126, text: "Your account or password is incorrect. If you don't remember your password, ask the administrator of the emulator (see dev.json)." };
const DISABLED = { code: 50057, text: 'Your account has been disabled. Contact your administrator.' };

/** A user of the tenant the request named, or (common/organizations) of the tenant their UPN's domain names. */
function findUser(deps: FlowDeps, request: AuthorizeRequest, username: string): { user: User; tenantId: string } | undefined {
  const tenantId = request.authority.tenantId;
  if (tenantId === null) return deps.directory.findUserAnywhere(username) ?? deps.directory.findUserAnywhere(username.toLowerCase());
  const user = deps.directory.findUserByUsername(tenantId, username) ?? deps.directory.findUserByUsername(tenantId, username.toLowerCase());
  return user ? { user, tenantId } : undefined;
}

async function passwordSignIn(c: Context, deps: FlowDeps, tx: LoginTransaction, browserId: string, form: URLSearchParams): Promise<Response> {
  const username = (form.get('username') ?? '').trim().slice(0, 256);
  const password = (form.get('password') ?? '').slice(0, 256);
  const found = username ? findUser(deps, tx.request, username) : undefined;
  // Always hash, so the response time does not tell which usernames exist.
  const valid = await deps.directory.credentials.verifyPassword(found?.user.id ?? '', password);
  if (!found || !valid) return showLoginForm(c, deps, tx, browserId, { username, error: BAD_CREDENTIALS });
  if (!found.user.accountEnabled) return showLoginForm(c, deps, tx, browserId, { username, error: DISABLED });
  const previous = await currentSession(c, deps);
  const session = await startSsoSession(deps, previous?.session, found.user, found.tenantId);
  setSsoCookie(c, deps.cookieSecret, session.sid);
  return completeSignIn(c, deps, tx.request, { session, user: found.user }, tx, { consented: false });
}

/** The code page: the SSO session it continues must still be the one the step started with. */
async function secondFactorStep(c: Context, deps: FlowDeps, tx: LoginTransaction, browserId: string, form: URLSearchParams): Promise<Response> {
  const active = await currentSession(c, deps);
  if (!active || active.session.sid !== tx.sid) {
    return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. The account is no longer signed in. Go back to the application and sign in again.'));
  }
  const result = await checkSecondFactor(c, deps, tx, browserId, active, (form.get('otc') ?? '').slice(0, 16));
  if ('page' in result) return result.page;
  return completeSignIn(c, deps, tx.request, result.ok, tx, { consented: false });
}

/** `POST /{tenant}/login`: the password form, the account picker and the second-factor page post here. */
export function loginEndpoint(app: Hono, deps: FlowDeps): void {
  app.post('/:tenant/login', async (c) => {
    const verified = await verifiedForm(c, deps, ['password', 'pick', 'mfa']);
    if (verified instanceof Response) return verified;
    const { form, tx, browserId } = verified;
    if (tx.stage === 'mfa') return secondFactorStep(c, deps, tx, browserId, form);
    const action = form.get('action') ?? 'password';
    if (tx.stage === 'pick' && action === 'continue') {
      const active = await currentSession(c, deps);
      if (!active || active.session.sid !== tx.sid) {
        return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. The account you picked is no longer signed in. Go back to the application and sign in again.'));
      }
      return completeSignIn(c, deps, tx.request, active, tx, { consented: false });
    }
    if (tx.stage === 'pick') {
      const next: LoginTransaction = { id: tx.id, browser: tx.browser, request: tx.request, stage: 'password', createdAt: tx.createdAt };
      await saveTransaction(deps, next);
      return showLoginForm(c, deps, next, browserId);
    }
    return passwordSignIn(c, deps, tx, browserId, form);
  });
}
