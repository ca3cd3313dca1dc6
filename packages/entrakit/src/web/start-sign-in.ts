/**
 * Starts the Authorization Code flow with PKCE (S256), state and nonce (256 random bits each),
 * remembers them for this browser only, and answers the redirect to /authorize.
 */
import { randomUUID } from 'node:crypto';
import { redactUrl } from '../core/trace/redact.ts';
import type { WebCore } from './core.ts';
import { redirect } from './core.ts';
import { pkcePair, randomToken } from './random.ts';
import { safeReturnTo } from './return-to.ts';

export interface StartSignInOptions {
  returnTo?: string;
  /** A claims request (claims challenge, step-up), sent to /authorize and with the code redemption. */
  claims?: string;
  /** This sign-in's delegated scopes instead of the `scopes` setting (one resource per request, as Entra requires). */
  scopes?: string[];
  /** 'none' for the silent retry after a failed redemption. */
  prompt?: 'none' | 'login' | 'select_account' | 'consent';
}

export async function startSignIn(core: WebCore, cookieHeader: string | null, options: StartSignInOptions = {}): Promise<Response> {
  const returnTo = safeReturnTo(options.returnTo);
  const scopes = [...new Set(options.scopes ?? core.settings.scopes)];
  const state = randomToken();
  const nonce = randomToken();
  const { verifier, challenge } = pkcePair();
  // Not a secret: it files the sign-in in the identity provider's log and ties its events together.
  const correlationId = randomUUID();
  const authorizeUrl = await (await core.msal.forAuthorizeUrl()).getAuthCodeUrl({
    scopes,
    redirectUri: core.settings.redirectUri,
    state,
    nonce,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    responseMode: 'query',
    correlationId,
    ...(options.claims ? { claims: options.claims } : {}),
    ...(options.prompt ? { prompt: options.prompt } : {}),
  });
  const silentRetry = options.prompt === 'none';
  const setCookie = await core.transactions.begin(cookieHeader, {
    state,
    nonce,
    verifier,
    returnTo,
    scopes,
    createdAt: core.settings.clock(),
    correlationId,
    ...(options.claims ? { claims: options.claims } : {}),
    ...(silentRetry ? { silentRetry } : {}),
  });
  if (core.events.listens('sign-in-started')) {
    core.events.emit('sign-in-started', { state, correlationId, returnTo, scopes, claims: options.claims !== undefined, silent: silentRetry, authorizeUrl: redactUrl(authorizeUrl) });
  }
  return redirect(authorizeUrl, setCookie);
}
