import type { Context, Hono } from 'hono';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { EmulatorDeps } from '../deps.ts';
import { AadError } from '../protocol/aad-error.ts';
import { resolveAuthority, v2Issuer } from '../protocol/tenant.ts';
import { sendErrorPage } from '../sign-in/authorization-response.ts';
import { registeredRedirectUris } from '../sign-in/authorize-request.ts';
import { clearSsoCookie, readSsoCookie } from '../sign-in/cookies.ts';
import { readRequestParams, singleParam } from '../sign-in/request-params.ts';
import { mac } from '../sign-in/signing.ts';
import { deleteSsoSession, loadSsoSession, type SsoSession } from '../sign-in/sso-session.ts';
import { pairwiseSubject } from '../tokens/identifiers.ts';
import { newNonce, sendPage } from '../views/respond.ts';
import { signedOutPage } from '../views/signed-out-page.ts';
import { signOutPickerPage } from '../views/sign-out-picker-page.ts';
import { timingSafeStringEqual } from 'entrakit/internal';

type LogoutDeps = Pick<EmulatorDeps, 'directory' | 'keys' | 'state' | 'clock' | 'publicUrl' | 'cookieSecret'>;

interface Hint {
  aud: string;
  sub?: string;
  tid?: string;
}

/** Claims of an ID token we signed; the signature is checked, expiry is not (a hint may be old). */
async function verifiedHint(deps: LogoutDeps, idTokenHint: string): Promise<Hint | undefined> {
  try {
    const jwks = createLocalJWKSet(deps.keys.jwks() as unknown as JSONWebKeySet);
    const { payload } = await compactVerify(idTokenHint, jwks, { algorithms: ['RS256'] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as { aud?: unknown; sub?: unknown; tid?: unknown };
    if (typeof claims.aud !== 'string') return undefined;
    return { aud: claims.aud, ...(typeof claims.sub === 'string' ? { sub: claims.sub } : {}), ...(typeof claims.tid === 'string' ? { tid: claims.tid } : {}) };
  } catch {
    return undefined;
  }
}

/** The client the request speaks for: client_id and/or id_token_hint, which must agree. */
function logoutClientId(clientId: string | undefined, idTokenHint: string | undefined, hint: Hint | undefined): string | undefined {
  if (clientId !== undefined && idTokenHint !== undefined && hint?.aud !== clientId) return undefined;
  return clientId ?? hint?.aud;
}

/** The hint is an ID token of this session's user (same tenant, same pairwise sub): the user's own app asks. */
function hintMatchesSession(hint: Hint | undefined, session: SsoSession): boolean {
  return hint !== undefined && hint.tid === session.tenantId && hint.sub === pairwiseSubject(session.tenantId, session.userId, hint.aud);
}

/**
 * A request that names no client (msal-browser's logoutRedirect sends only the URI): as Entra does,
 * the app is one this session signed into whose registration has the URI. Without a session the URI
 * is not followed.
 */
function sessionClientFor(deps: LogoutDeps, session: SsoSession | undefined, uri: string | undefined): string | undefined {
  if (!session || uri === undefined) return undefined;
  return session.clients.find((client) => {
    const app = deps.directory.findApplicationByClientId(client.clientId)?.app;
    return app !== undefined && registeredRedirectUris(app).includes(uri);
  })?.clientId;
}

const logoutCsrf = (deps: LogoutDeps, sid: string): string => mac(deps.cookieSecret, 'logout-csrf', sid);

/** post_logout_redirect_uri (with state) when registered exactly for the client; otherwise no redirect. */
function continueUrl(deps: LogoutDeps, clientId: string | undefined, uri: string | undefined, state: string | undefined): string | undefined {
  const app = clientId && uri ? deps.directory.findApplicationByClientId(clientId)?.app : undefined;
  if (!app || !uri || !registeredRedirectUris(app).includes(uri)) return undefined;
  return state === undefined ? uri : `${uri}${uri.includes('?') ? '&' : '?'}${new URLSearchParams({ state })}`;
}

function frontchannelUrls(deps: LogoutDeps, session: SsoSession): string[] {
  const urls: string[] = [];
  for (const client of session.clients) {
    if (!client.frontchannelLogoutUri) continue;
    try {
      const url = new URL(client.frontchannelLogoutUri);
      url.searchParams.set('iss', v2Issuer(deps.publicUrl, session.tenantId));
      url.searchParams.set('sid', session.sid);
      urls.push(url.toString());
    } catch {
      // An unparsable logout URL cannot be called; the others still are.
    }
  }
  return urls;
}

/** The confirmation page; its POST carries the request's parameters and a CSRF token bound to the session. */
function askWhichAccount(c: Context, deps: LogoutDeps, session: SsoSession, request: { clientId: string | undefined; uri: string | undefined; state: string | undefined; next: string | undefined }): Promise<Response> {
  const user = deps.directory.objects.get('user', session.userId)?.value;
  const carried: Record<string, string> = {};
  if (request.clientId !== undefined) carried['client_id'] = request.clientId;
  if (request.uri !== undefined) carried['post_logout_redirect_uri'] = request.uri;
  if (request.state !== undefined) carried['state'] = request.state;
  const nonce = newNonce();
  const model = {
    action: `/${encodeURIComponent(c.req.param('tenant') ?? '')}/oauth2/v2.0/logout`,
    csrf: logoutCsrf(deps, session.sid),
    account: { displayName: user?.displayName ?? '', username: user?.userPrincipalName ?? '' },
    carried,
  };
  // The confirming POST may redirect to the app, which form-action must then allow.
  return sendPage(c, signOutPickerPage(model, nonce), 200, { nonce, formAction: request.next ? [request.next] : [] });
}

/**
 * `GET|POST /{tenant}/oauth2/v2.0/logout`: ends the browser's SSO session, loads each signed-in
 * app's front-channel logout URL in a hidden iframe, then returns to a registered URI only. Unless
 * an id_token_hint of the signed-in user names the app, the user confirms first (a POST with a
 * CSRF token), so a cross-site request alone cannot sign anyone out.
 */
export function logoutEndpoint(app: Hono, deps: LogoutDeps): void {
  const handle = async (c: Context) => {
    let params: URLSearchParams;
    try {
      params = await readRequestParams(c);
      resolveAuthority(deps.directory, c.req.param('tenant') ?? '');
      for (const name of ['post_logout_redirect_uri', 'state', 'client_id', 'logout_hint', 'action']) singleParam(params, name);
      singleParam(params, 'csrf', 128);
      singleParam(params, 'id_token_hint', 16_384);
    } catch (error) {
      if (error instanceof AadError) return sendErrorPage(c, deps, error);
      throw error;
    }
    const get = (name: string) => params.get(name) || undefined;
    const hint = get('id_token_hint') === undefined ? undefined : await verifiedHint(deps, get('id_token_hint')!);
    const sid = readSsoCookie(c, deps.cookieSecret);
    const session = sid ? await loadSsoSession(deps, sid) : undefined;
    const named = get('client_id') !== undefined || get('id_token_hint') !== undefined;
    const clientId = named ? logoutClientId(get('client_id'), get('id_token_hint'), hint) : sessionClientFor(deps, session, get('post_logout_redirect_uri'));
    const next = continueUrl(deps, clientId, get('post_logout_redirect_uri'), get('state'));

    if (session && !hintMatchesSession(hint, session)) {
      const confirming = c.req.method === 'POST' && get('action') === 'signout';
      // Only a registered URI (and its state) is carried: Entra ignores an unregistered one, so it is never echoed.
      if (!confirming) return askWhichAccount(c, deps, session, { clientId, uri: next ? get('post_logout_redirect_uri') : undefined, state: next ? get('state') : undefined, next });
      if (!timingSafeStringEqual(get('csrf') ?? '', logoutCsrf(deps, session.sid))) {
        return sendErrorPage(c, deps, new AadError(9002313, 'Invalid request. The sign-out form could not be verified (missing or wrong CSRF token).'), 403);
      }
    }
    if (session) await deleteSsoSession(deps, session.sid);
    clearSsoCookie(c);
    const frames = session ? frontchannelUrls(deps, session) : [];
    if (next && frames.length === 0) {
      c.header('Cache-Control', 'no-store');
      c.header('Referrer-Policy', 'no-referrer');
      return c.redirect(next, 302);
    }
    const nonce = newNonce();
    return sendPage(c, signedOutPage(next ? { frontchannelUrls: frames, continueUrl: next } : { frontchannelUrls: frames }, nonce), 200, { nonce, script: next !== undefined, frameSrc: frames });
  };
  app.get('/:tenant/oauth2/v2.0/logout', handle);
  app.post('/:tenant/oauth2/v2.0/logout', handle);
}
