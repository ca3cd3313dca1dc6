import type { Directory } from '../directory/directory.ts';
import { AADSTS, type AadstsCode } from '../protocol/aad-error.ts';
import { AADSTS_HELP } from '../protocol/aad-error-help.ts';
import { registeredRedirectUris } from '../sign-in/authorize-request.ts';
import { redirectUriNearMiss } from './redirect-near-miss.ts';
import type { LoggedEndpoint, RequestOutcome } from './request-log.ts';

export interface ObservedRequest {
  endpoint: LoggedEndpoint;
  method: string;
  tenant: string | null;
  /** Non-secret parameters (client_id, scope, redirect_uri, prompt, grant_type, username...). */
  params: Map<string, string>;
  /** Secret or bulky parameters, by name only (code_verifier, client_secret, code...). */
  present: Set<string>;
  hasSsoCookie: boolean;
  basicAuth: boolean;
}

export interface ObservedResponse {
  status: number;
  location: string | null;
  json?: Record<string, unknown>;
  html?: string;
}

export interface Verdict {
  outcome: RequestOutcome;
  error: string | null;
  aadsts: number | null;
  why: string[];
  user?: string;
  clientId?: string;
}

type Page = 'login' | 'mfa' | 'consent' | 'picker' | 'error' | 'form_post' | 'signed_out' | 'other';

function pageKind(html: string): Page {
  if (html.includes("having trouble signing you in")) return 'error';
  if (html.includes('id="response"')) return 'form_post';
  if (html.includes('value="accept"')) return 'consent';
  if (html.includes('>Pick an account<')) return 'picker';
  if (html.includes('>Sign in</button>')) return 'login';
  if (html.includes('>Verify</button>')) return 'mfa';
  if (html.includes('You signed out')) return 'signed_out';
  return 'other';
}

function aadstsIn(text: string | undefined): number | null {
  const match = /AADSTS(\d{4,7})/.exec(text ?? '');
  return match ? Number(match[1]) : null;
}

/** The fields of a redirect (query or fragment) or of an auto-posting form_post page. */
function answerFields(response: ObservedResponse, page: Page | undefined): URLSearchParams | undefined {
  if (response.location) {
    try {
      const url = new URL(response.location);
      const fields = new URLSearchParams(url.search);
      for (const [k, v] of new URLSearchParams(url.hash.slice(1))) fields.set(k, v);
      return fields;
    } catch {
      return undefined;
    }
  }
  if (page === 'form_post' && response.html) {
    const fields = new URLSearchParams();
    for (const match of response.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(match[1]!, decodeHtml(match[2]!));
    return fields;
  }
  return undefined;
}

function decodeHtml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function helpFor(code: number | null): string | undefined {
  return code !== null && code in AADSTS_HELP ? AADSTS_HELP[code as AadstsCode].cause : undefined;
}

/** Derives outcome, error and reasons from what was asked and what went back. */
export function explainRequest(directory: Directory, request: ObservedRequest, response: ObservedResponse): Verdict {
  const page = response.html !== undefined ? pageKind(response.html) : undefined;
  const fields = answerFields(response, page);
  let error: string | null = null;
  let aadsts: number | null = null;
  if (response.json) {
    const e = response.json['error'];
    error = typeof e === 'string' ? e : e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : null;
    const codes = response.json['error_codes'];
    aadsts = Array.isArray(codes) && typeof codes[0] === 'number' ? codes[0] : null;
  } else if (fields?.get('error')) {
    error = fields.get('error')!;
    aadsts = aadstsIn(fields.get('error_description') ?? undefined);
  } else if (page === 'error') {
    aadsts = aadstsIn(response.html);
    error = /Error: <code>([a-z_]+)<\/code>/.exec(response.html ?? '')?.[1] ?? (aadsts !== null && aadsts in AADSTS ? AADSTS[aadsts as AadstsCode] : null);
  } else if (page === 'login' || page === 'mfa' || request.endpoint === 'deviceauth') {
    // A form shown again with a message: the user's attempt failed (e.g. 50126), the flow goes on.
    aadsts = response.html?.includes('role="alert"') ? aadstsIn(response.html) : null;
  }

  if (response.html?.includes('data-device-result="declined"')) {
    error = 'authorization_declined';
    aadsts = 70020;
  }
  const interactive = page === 'login' || page === 'mfa' || page === 'consent' || page === 'picker' || (request.endpoint === 'deviceauth' && page !== 'error' && response.status === 200);
  const finished = fields?.has('code') === true || response.html?.includes('data-device-result="approved"') === true;
  const outcome: RequestOutcome = error !== null || response.status >= 400 ? 'error' : interactive && !finished ? 'interaction' : 'success';
  const why = reasons(directory, request, response, { page, fields, error, aadsts });
  const verdict: Verdict = { outcome, error, aadsts, why };
  const username = request.params.get('username');
  if (request.endpoint === 'login' && username && aadsts === null && outcome !== 'error') verdict.user = username;
  return verdict;
}

function reasons(
  directory: Directory,
  request: ObservedRequest,
  response: ObservedResponse,
  seen: { page: Page | undefined; fields: URLSearchParams | undefined; error: string | null; aadsts: number | null },
): string[] {
  const why: string[] = [];
  const { page, fields, aadsts } = seen;
  const p = request.params;
  const codeSent = fields?.has('code') === true;

  switch (request.endpoint) {
    case 'authorize': {
      if (aadsts === 50011) {
        const found = p.get('client_id') ? directory.findApplicationByClientId(p.get('client_id')!) : undefined;
        if (found) why.push(redirectUriNearMiss(p.get('redirect_uri') ?? '', registeredRedirectUris(found.app)));
      }
      if (aadsts === 9002325) why.push('client skipped PKCE: no code_challenge was sent');
      // Entra requires PKCE only for SPA redirect URIs; the log still says so, as weak practice.
      else if (seen.error === null && (p.get('response_type') ?? '').split(' ').includes('code') && !request.present.has('code_challenge')) {
        why.push('client skipped PKCE: no code_challenge was sent (accepted: Entra requires it only for SPA redirect URIs)');
      }
      if (aadsts === 50058) why.push(request.hasSsoCookie ? 'prompt=none: the SSO session cannot answer for this tenant or user' : 'prompt=none but this browser has no SSO session');
      if (codeSent) {
        why.push(p.get('prompt') === 'none' ? 'prompt=none: SSO session found, no password asked' : 'SSO session found, no password asked');
        why.push('consent remembered: nothing new to ask');
      }
      if (page === 'login') why.push(p.get('prompt') === 'login' ? 'prompt=login: password asked even with an SSO session' : request.hasSsoCookie ? 'SSO session not usable for this request (other tenant, login_hint or max_age): password form shown' : 'no SSO session in this browser: password form shown');
      if (page === 'picker') why.push('prompt=select_account: account picker shown');
      if (page === 'consent') why.push('SSO session found, no password asked', 'consent needed: the user has not granted every requested permission');
      break;
    }
    case 'login': {
      if (aadsts === 50126) why.push('password checked: username or password did not match');
      else if (aadsts === 50057) why.push('password checked, but the account is disabled');
      else if (p.get('action') === 'continue') why.push('account picked: the SSO session continues, no password asked');
      else if (page === 'login' && p.get('action') === 'another') why.push('"use another account": password form shown');
      else if (p.get('action') !== 'continue' && request.present.has('password') && (codeSent || page === 'consent')) why.push('password checked');
      if (codeSent) why.push('consent remembered: nothing new to ask');
      if (page === 'consent') why.push('consent needed: the user has not granted every requested permission');
      break;
    }
    case 'consent': {
      if (p.get('action') === 'accept' && codeSent) why.push('consent granted and remembered for this user');
      if (p.get('action') === 'cancel') why.push('the user declined consent');
      break;
    }
    case 'token': {
      const grant = p.get('grant_type');
      const auth = request.basicAuth ? 'client_secret_basic' : request.present.has('client_secret') ? 'client_secret_post' : request.present.has('client_assertion') ? 'private_key_jwt (certificate)' : 'no client credential (public client)';
      if (grant) why.push(`grant ${grant}; client authentication: ${auth}`);
      if (grant === 'authorization_code' && !request.present.has('code_verifier')) why.push('client skipped PKCE: no code_verifier sent');
      // Looser than Entra, which documents the password grant for tenant and /organizations authorities only.
      if (grant === 'password' && request.tenant?.toLowerCase() === 'common') why.push('password grant on /common: accepted here, but Entra documents it only for a tenant or /organizations authority');
      if (grant === 'authorization_code' && aadsts === 500112) why.push('redirect_uri at redemption differs from the one sent to /authorize');
      if (aadsts === 54005) why.push('code replayed: the refresh tokens of its first redemption were revoked');
      if (aadsts === 70016 && seen.error === 'authorization_pending') why.push('device code: the user has not finished on the verification page yet');
      if (seen.error === 'slow_down') why.push('device code: polled faster than the interval');
      else if (seen.error !== null && aadsts !== 70016 && aadsts !== 54005 && aadsts !== 500112) {
        const help = helpFor(aadsts);
        if (help) why.push(help);
      }
      break;
    }
    case 'devicecode': {
      if (response.status === 200) why.push('device authorization started: the user enters the code on the verification page');
      break;
    }
    case 'logout': {
      why.push(request.hasSsoCookie ? 'SSO session ended' : 'no SSO session in this browser');
      if (p.get('post_logout_redirect_uri')) why.push(response.status === 302 || response.html?.includes('id="continue"') ? 'post_logout_redirect_uri is registered for the client: returning there' : 'post_logout_redirect_uri not registered for the client (or no client named): signed-out page shown');
      break;
    }
    default:
      break;
  }
  if (seen.error !== null && why.length === 0) {
    const help = helpFor(aadsts);
    if (help) why.push(help);
  }
  return why;
}
