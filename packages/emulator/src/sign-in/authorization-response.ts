import type { Context } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { AadError, aadErrorBody } from '../protocol/aad-error.ts';
import { errorPage } from '../views/error-page.ts';
import { formPostPage } from '../views/form-post-page.ts';
import { newNonce, sendPage } from '../views/respond.ts';
import type { ResponseTarget } from './authorize-request.ts';

type ResponseDeps = Pick<EmulatorDeps, 'clock' | 'publicUrl'>;

function appendParams(uri: string, separator: '?' | '#', fields: Record<string, string>): string {
  const encoded = new URLSearchParams(fields).toString();
  // The registered URI is kept byte for byte; only our parameters are added.
  if (separator === '#') return `${uri}#${encoded}`;
  return `${uri}${uri.includes('?') ? '&' : '?'}${encoded}`;
}

/** Answers the client per response_mode: 302 with query or fragment, or an auto-posting form. `state` goes between fields and trailing (Entra's order). */
export async function sendAuthorizationResponse(c: Context, target: ResponseTarget, fields: Record<string, string>, trailing: Record<string, string> = {}): Promise<Response> {
  const all = { ...fields, ...(target.state === undefined ? {} : { state: target.state }), ...trailing };
  if (target.responseMode === 'form_post') {
    const nonce = newNonce();
    return sendPage(c, formPostPage(target.redirectUri, all, nonce), 200, { nonce, script: true, formAction: [target.redirectUri] });
  }
  c.header('Cache-Control', 'no-store');
  c.header('Pragma', 'no-cache');
  c.header('Referrer-Policy', 'no-referrer');
  return c.redirect(appendParams(target.redirectUri, target.responseMode === 'fragment' ? '#' : '?', all), 302);
}

/** An error sent back to a validated redirect URI: error, error_description (AADSTS...), error_uri, ids, state. */
export function sendAuthorizationError(c: Context, deps: ResponseDeps, target: ResponseTarget, error: AadError): Promise<Response> {
  const body = aadErrorBody(error.aadsts, error.message, { now: deps.clock(), publicUrl: deps.publicUrl, error: error.error });
  const fields: Record<string, string> = {
    error: body.error,
    error_description: body.error_description,
    error_uri: body.error_uri,
    correlation_id: body.correlation_id,
    trace_id: body.trace_id,
  };
  if (error.suberror) fields['suberror'] = error.suberror;
  return sendAuthorizationResponse(c, target, fields);
}

/** An error shown to the user and never redirected (status 400 unless told). */
export function sendErrorPage(c: Context, deps: ResponseDeps, error: AadError, status: 400 | 403 = 400): Promise<Response> {
  const body = aadErrorBody(error.aadsts, error.message, { now: deps.clock(), publicUrl: deps.publicUrl, error: error.error });
  const nonce = newNonce();
  return sendPage(c, errorPage(body, nonce), status, { nonce });
}

/** Runs a step whose AadErrors belong on the redirect URI; anything else propagates (a bug: 500). */
export async function redirectingErrors(c: Context, deps: ResponseDeps, target: ResponseTarget, step: () => Promise<Response>): Promise<Response> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof AadError) return sendAuthorizationError(c, deps, target, error);
    throw error;
  }
}
