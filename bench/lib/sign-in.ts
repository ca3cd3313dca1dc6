import { createHash, randomBytes } from 'node:crypto';

export interface SignInRequest {
  /** `{emulator}/{tenantId}` */
  authority: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scope: string;
  username: string;
  password: string;
}

export interface SignInTokens {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  /** True when the consent page was shown and accepted on the way. */
  consented: boolean;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * One browser-free sign-in, as a new browser would do it: authorize (code + PKCE S256), the login
 * form POSTed with its hidden fields and cookies, the consent page when shown, then code redemption.
 * Throws with the failing step on anything unexpected.
 */
export async function signIn(request: SignInRequest): Promise<SignInTokens> {
  const cookies = new Map<string, string>();
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

  let page = await browse(cookies, authorize, 'authorize');
  page = await browse(cookies, formTarget(page, authorize), 'login', { ...hiddenFields(page), username: request.username, password: request.password });
  let consented = false;
  if (page.body.includes('value="accept"')) {
    consented = true;
    page = await browse(cookies, formTarget(page, authorize), 'consent', { ...hiddenFields(page), action: 'accept' });
  }
  const redirect = page.location ? new URL(page.location, authorize) : undefined;
  const code = redirect?.searchParams.get('code');
  if (!redirect || !redirect.href.startsWith(request.redirectUri) || redirect.searchParams.get('state') !== state || !code) {
    throw new Error(`sign-in did not return a code (status ${page.status}, location ${redirect?.origin ?? 'none'}, error ${redirect?.searchParams.get('error') ?? '-'})`);
  }

  const response = await fetch(`${request.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: request.clientId,
      client_secret: request.clientSecret,
      code,
      redirect_uri: request.redirectUri,
      code_verifier: verifier,
      scope: request.scope,
    }),
  });
  const tokens = (await response.json()) as Partial<SignInTokens> & { error?: string };
  if (response.status !== 200 || !tokens.access_token || !tokens.id_token) throw new Error(`token redemption: HTTP ${response.status} ${tokens.error ?? ''}`);
  const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1] ?? '', 'base64url').toString()) as { nonce?: string };
  if (claims.nonce !== nonce) throw new Error('token redemption: ID token nonce does not match');
  return { access_token: tokens.access_token, id_token: tokens.id_token, ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}), consented };
}

interface Page {
  status: number;
  body: string;
  location?: string;
}

/** GET (or POST `form`) with the cookie jar, without following redirects. */
async function browse(cookies: Map<string, string>, url: URL, step: string, form?: Record<string, string>): Promise<Page> {
  const headers: Record<string, string> = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? FORM : {}) };
  const response = await fetch(url, { method: form ? 'POST' : 'GET', headers, redirect: 'manual', ...(form ? { body: new URLSearchParams(form) } : {}) });
  for (const line of response.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  const body = await response.text();
  const location = response.headers.get('location') ?? undefined;
  if (response.status !== 200 && !(response.status === 302 && location)) throw new Error(`${step}: unexpected HTTP ${response.status}`);
  if (response.status === 200 && !body.includes('<form')) throw new Error(`${step}: page without a form`);
  return { status: response.status, body, ...(location ? { location } : {}) };
}

function formTarget(page: Page, base: URL): URL {
  const action = /<form[^>]*\saction="([^"]+)"/.exec(page.body)?.[1];
  if (!action) throw new Error('no form action on the page');
  return new URL(decodeEntities(action), base);
}

function hiddenFields(page: Page): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[match[1] ?? ''] = decodeEntities(match[2] ?? '');
  if (!fields['tx'] || !fields['csrf']) throw new Error('the form has no tx/csrf hidden fields');
  return fields;
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[e] ?? '');
}
