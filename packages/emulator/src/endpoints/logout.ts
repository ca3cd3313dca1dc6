import type { Context, Hono } from 'hono';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { EmulatorDeps } from '../deps.ts';
import { AadError } from '../protocol/aad-error.ts';
import { resolveAuthority, v2Issuer } from '../protocol/tenant.ts';
import { sendErrorPage } from '../sign-in/authorization-response.ts';
import { registeredRedirectUris } from '../sign-in/authorize-request.ts';
import { clearSsoCookie, readSsoCookie } from '../sign-in/cookies.ts';
import { readRequestParams, singleParam } from '../sign-in/request-params.ts';
import { deleteSsoSession, loadSsoSession, type SsoSession } from '../sign-in/sso-session.ts';
import { newNonce, sendPage } from '../views/respond.ts';
import { signedOutPage } from '../views/signed-out-page.ts';

type LogoutDeps = Pick<EmulatorDeps, 'directory' | 'keys' | 'state' | 'clock' | 'publicUrl' | 'cookieSecret'>;

/** `aud` of an ID token we signed; the signature is checked, expiry is not (a hint may be old). */
async function hintedClientId(deps: LogoutDeps, idTokenHint: string): Promise<string | undefined> {
  try {
    const jwks = createLocalJWKSet(deps.keys.jwks() as unknown as JSONWebKeySet);
    const { payload } = await compactVerify(idTokenHint, jwks, { algorithms: ['RS256'] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as { aud?: unknown };
    return typeof claims.aud === 'string' ? claims.aud : undefined;
  } catch {
    return undefined;
  }
}

/** The client the request speaks for: client_id and/or id_token_hint, which must agree. */
async function logoutClientId(deps: LogoutDeps, clientId: string | undefined, idTokenHint: string | undefined): Promise<string | undefined> {
  const hinted = idTokenHint === undefined ? undefined : await hintedClientId(deps, idTokenHint);
  if (clientId !== undefined && idTokenHint !== undefined && hinted !== clientId) return undefined;
  return clientId ?? hinted;
}

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

/**
 * `GET|POST /{tenant}/oauth2/v2.0/logout`: ends the browser's SSO session, loads each signed-in
 * app's front-channel logout URL in a hidden iframe, then returns to a registered URI only.
 */
export function logoutEndpoint(app: Hono, deps: LogoutDeps): void {
  const handle = async (c: Context) => {
    let params: URLSearchParams;
    try {
      params = await readRequestParams(c);
      resolveAuthority(deps.directory, c.req.param('tenant') ?? '');
      for (const name of ['post_logout_redirect_uri', 'state', 'client_id', 'logout_hint']) singleParam(params, name);
      singleParam(params, 'id_token_hint', 16_384);
    } catch (error) {
      if (error instanceof AadError) return sendErrorPage(c, deps, error);
      throw error;
    }
    const get = (name: string) => params.get(name) || undefined;
    const clientId = await logoutClientId(deps, get('client_id'), get('id_token_hint'));
    const next = continueUrl(deps, clientId, get('post_logout_redirect_uri'), get('state'));

    const sid = readSsoCookie(c, deps.cookieSecret);
    const session = sid ? await loadSsoSession(deps, sid) : undefined;
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
