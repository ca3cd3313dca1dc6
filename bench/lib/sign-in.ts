import { createHash, randomBytes } from 'node:crypto';
import { Browser, type Page } from './browser.ts';

export interface SignInUser {
  username: string;
  password: string;
}

export interface SignInRequest extends SignInUser {
  /** `{emulator}/{tenantId}` */
  authority: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scope: string;
}

/**
 * From the emulator's /authorize to the redirect that carries the code: the login form (hidden
 * fields and cookies included) and the consent page when it is shown. Returns the redirect URL.
 */
export async function passLogin(browser: Browser, authorizeUrl: URL, user: SignInUser): Promise<URL> {
  let page: Page = await browser.get(authorizeUrl, 'authorize');
  page = await browser.submit(page, 'login', { username: user.username, password: user.password });
  if (page.status === 200 && page.body.includes('value="accept"')) page = await browser.submit(page, 'consent', { action: 'accept' });
  if (!page.location?.searchParams.get('code')) {
    throw new Error(`login: no code (HTTP ${page.status}, error ${page.location?.searchParams.get('error') ?? (page.body.match(/AADSTS\d+/)?.[0] ?? '-')})`);
  }
  return page.location;
}

/** A browser-free sign-in by a client of our own: authorize (code + PKCE S256), login, then code redemption. */
export async function signInDirect(request: SignInRequest): Promise<{ access_token: string; id_token: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const nonce = randomBytes(12).toString('base64url');
  const authorize = new URL(`${request.authority}/oauth2/v2.0/authorize`);
  authorize.search = new URLSearchParams({
    client_id: request.clientId,
    response_type: 'code',
    redirect_uri: request.redirectUri,
    response_mode: 'query',
    scope: request.scope,
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const redirect = await passLogin(new Browser(), authorize, request);
  if (!redirect.href.startsWith(request.redirectUri) || redirect.searchParams.get('state') !== state) throw new Error('login: wrong redirect or state');

  const response = await fetch(`${request.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: request.clientId,
      client_secret: request.clientSecret,
      code: redirect.searchParams.get('code') ?? '',
      redirect_uri: request.redirectUri,
      code_verifier: verifier,
      scope: request.scope,
    }),
  });
  const tokens = (await response.json()) as { access_token?: string; id_token?: string; error?: string };
  if (response.status !== 200 || !tokens.access_token || !tokens.id_token) throw new Error(`token: HTTP ${response.status} ${tokens.error ?? ''}`);
  const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1] ?? '', 'base64url').toString()) as { nonce?: string };
  if (claims.nonce !== nonce) throw new Error('token: ID token nonce does not match');
  return { access_token: tokens.access_token, id_token: tokens.id_token };
}
