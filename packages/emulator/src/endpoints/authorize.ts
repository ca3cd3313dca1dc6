import type { Context, Hono } from 'hono';
import { AadError } from '../protocol/aad-error.ts';
import { redirectingErrors, sendErrorPage } from '../sign-in/authorization-response.ts';
import { resolveClient, validateAuthorizeRequest, type AuthorizeRequest, type ResolvedClient } from '../sign-in/authorize-request.ts';
import { ensureBrowserId } from '../sign-in/cookies.ts';
import { createTransaction } from '../sign-in/login-transaction.ts';
import { showAccountPicker, showLoginForm } from '../sign-in/pages.ts';
import { readRequestParams } from '../sign-in/request-params.ts';
import { completeSignIn, type FlowDeps } from '../sign-in/sign-in-flow.ts';
import { currentSession, type ActiveSession } from '../sign-in/sso-session.ts';

/** The SSO session when its user belongs to the tenant the request named (any tenant for common/organizations). */
function sessionForTenant(request: AuthorizeRequest, active: ActiveSession | undefined): ActiveSession | undefined {
  return active && (request.authority.tenantId === null || active.session.tenantId === request.authority.tenantId) ? active : undefined;
}

/**
 * max_age is over: the password was entered longer ago than allowed. auth_time is in whole seconds
 * (rounded down), so the elapsed time is never underestimated; max_age=0 always asks again.
 */
function tooOld(deps: FlowDeps, request: AuthorizeRequest, active: ActiveSession): boolean {
  return request.maxAge !== undefined && (request.maxAge === 0 || deps.clock() - active.session.authTime * 1000 > request.maxAge * 1000);
}

/** The SSO session, when it may answer this request without asking for a password. */
function usableSession(deps: FlowDeps, request: AuthorizeRequest, active: ActiveSession | undefined): ActiveSession | undefined {
  if (!active) return undefined;
  if (request.loginHint !== undefined && request.loginHint.toLowerCase() !== active.user.userPrincipalName.toLowerCase()) return undefined;
  // A CAE challenge's nbf: only a sign-in after that time answers it.
  if (request.notBefore !== undefined && active.session.authTime < request.notBefore) return undefined;
  return tooOld(deps, request, active) ? undefined : active;
}

async function interact(c: Context, deps: FlowDeps, request: AuthorizeRequest): Promise<Response> {
  const active = sessionForTenant(request, await currentSession(c, deps));
  const sso = usableSession(deps, request, active);
  if (request.prompt === 'none') {
    if (!sso) throw new AadError(50058, 'A silent sign-in request was sent but no user is signed in.');
    return completeSignIn(c, deps, request, sso, undefined, { consented: false });
  }
  const browserId = ensureBrowserId(c);
  // The picker continues with the session as it is: not when max_age asks for the password again.
  if (request.prompt === 'select_account' && active && !tooOld(deps, request, active)) {
    const tx = await createTransaction(deps, request, browserId, 'pick', active.session.sid);
    return showAccountPicker(c, deps, tx, browserId, active.user);
  }
  if (!sso || request.prompt === 'login' || request.prompt === 'select_account') {
    const tx = await createTransaction(deps, request, browserId, 'password');
    return showLoginForm(c, deps, tx, browserId, request.loginHint === undefined ? {} : { username: request.loginHint });
  }
  return completeSignIn(c, deps, request, sso, undefined, { consented: false });
}

/**
 * `GET|POST /{tenant}/oauth2/v2.0/authorize` (code flow with PKCE S256; implicit id_token / token and hybrid responses when the registration enables them). Errors before the redirect
 * URI is proven registered are shown on a page; later ones go back to the app, as Entra does.
 */
export function authorizeEndpoint(app: Hono, deps: FlowDeps): void {
  const handle = async (c: Context) => {
    let params: URLSearchParams;
    let client: ResolvedClient;
    try {
      params = await readRequestParams(c);
      client = resolveClient(deps.directory, c.req.param('tenant') ?? '', params);
    } catch (error) {
      if (error instanceof AadError) return sendErrorPage(c, deps, error);
      throw error;
    }
    return redirectingErrors(c, deps, client.target, () => interact(c, deps, validateAuthorizeRequest(deps.directory, client, params, deps.switches)));
  };
  app.get('/:tenant/oauth2/v2.0/authorize', handle);
  app.post('/:tenant/oauth2/v2.0/authorize', handle);
}
