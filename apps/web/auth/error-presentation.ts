import { isEntrakitError } from 'entrakit';
import type { ErrorView } from '../views/error-page.ts';
import { aadstsCode, explainAadsts } from 'entrakit/web';

const TRY_AGAIN = { href: '/auth/sign-in', label: 'Sign in again' };
const HOME = { href: '/', label: 'Back to the home page' };

const PRESENTATION: Record<string, { title: string; explanation: string; signIn: boolean }> = {
  SIGNIN_TRANSACTION_MISSING: {
    title: 'This sign-in did not start here',
    explanation: 'The sign-in response arrived without the cookie this browser gets when it starts a sign-in (or the cookie expired after 10 minutes). It was refused: a response started elsewhere could sign you in as someone else.',
    signIn: true,
  },
  SIGNIN_TRANSACTION_NOT_FOUND: {
    title: 'This sign-in response was already used',
    explanation: 'Each sign-in response can be used once, within 10 minutes. This one was replayed (for example by going back and reloading) or has expired, so it was refused.',
    signIn: true,
  },
  SIGNIN_STATE_MISSING: {
    title: 'The sign-in response had no state',
    explanation: 'The identity provider must return the state value the app sent. Without it the response cannot be tied to this sign-in, so it was refused before any token was requested.',
    signIn: true,
  },
  SIGNIN_STATE_MISMATCH: {
    title: 'The sign-in response belongs to another sign-in',
    explanation: 'The state value in the response does not match the one this browser sent. This is what a cross-site request forgery (login CSRF) looks like, so it was refused before any token was requested.',
    signIn: true,
  },
  SIGNIN_CODE_MISSING: { title: 'The sign-in response had no code', explanation: 'The identity provider redirected back without an authorization code or an error.', signIn: true },
  SIGNIN_IDP_ERROR: { title: 'The identity provider refused the sign-in', explanation: 'Entra ID redirected back with an error instead of an authorization code.', signIn: true },
  SIGNIN_CODE_REDEMPTION_FAILED: {
    title: 'The authorization code could not be redeemed',
    explanation: 'The token endpoint refused to exchange the code for tokens.',
    signIn: true,
  },
  TOKEN_SIGNATURE_INVALID: { title: 'The ID token was rejected: bad signature', explanation: "The ID token's signature does not verify with the identity provider's published keys (JWKS). It may have been forged or altered.", signIn: true },
  TOKEN_KEY_NOT_FOUND: { title: 'The ID token was rejected: unknown key', explanation: "The ID token names a signing key (kid) that is not in the identity provider's key set.", signIn: true },
  TOKEN_ALG_NOT_ALLOWED: { title: 'The ID token was rejected: algorithm not allowed', explanation: 'Entra signs ID tokens with RS256 only. A token with another algorithm, or alg "none" (unsigned), is refused.', signIn: true },
  TOKEN_ISSUER_INVALID: { title: 'The ID token was rejected: wrong issuer', explanation: 'The iss claim is not the issuer named in the discovery document (for the token\'s tenant).', signIn: true },
  TOKEN_AUDIENCE_INVALID: { title: 'The ID token was rejected: wrong audience', explanation: 'The aud claim is not this app\'s client id: the token was issued to another app.', signIn: true },
  TOKEN_EXPIRED: { title: 'The ID token was rejected: expired', explanation: 'The exp claim is in the past (beyond the allowed clock skew).', signIn: true },
  TOKEN_NOT_YET_VALID: { title: 'The ID token was rejected: not valid yet', explanation: 'The nbf or iat claim is in the future (beyond the allowed clock skew).', signIn: true },
  TOKEN_NONCE_MISMATCH: { title: 'The ID token was rejected: wrong nonce', explanation: 'The nonce claim does not match the nonce this sign-in sent, so the token was not issued for this sign-in (a replayed or injected token).', signIn: true },
  TOKEN_TENANT_NOT_ALLOWED: { title: 'Your organization is not allowed', explanation: 'The ID token comes from a tenant that is not in this app\'s allow-list (ENTRA_ALLOWED_TENANTS).', signIn: true },
  TOKEN_MALFORMED: { title: 'The ID token was rejected: malformed', explanation: 'The ID token is not a well-formed signed JWT with the required claims.', signIn: true },
  TOKEN_CLAIM_MISSING: { title: 'The ID token was rejected: claim missing', explanation: 'The ID token lacks a required claim (iss, aud, exp, iat or tid).', signIn: true },
  TOKEN_TOO_LARGE: { title: 'The ID token was rejected: too large', explanation: 'The ID token is larger than the app accepts.', signIn: true },
  CSRF_TOKEN_INVALID: { title: 'Request refused', explanation: 'The form did not carry this session\'s anti-forgery token, so it may have been submitted by another site. Nothing was changed.', signIn: false },
  CSRF_ORIGIN_MISMATCH: { title: 'Request refused', explanation: 'The request came from another site. Nothing was changed.', signIn: false },
  DISCOVERY_UNREACHABLE: { title: 'The identity provider is unreachable', explanation: 'Its discovery document could not be loaded, so no sign-in can start. Nothing was changed; try again once it answers.', signIn: true },
  JWKS_UNREACHABLE: { title: 'The identity provider\'s keys are unreachable', explanation: 'The signing keys could not be loaded, so the ID token could not be checked and was not accepted.', signIn: true },
  STORE_UNAVAILABLE: { title: 'The app cannot reach its session store', explanation: 'Sessions and tokens are kept in a shared store (Redis) that is not answering right now. Nothing was changed; try again in a moment.', signIn: false },
  STORE_LOCK_TIMEOUT: { title: 'Your tokens are being renewed', explanation: 'Another request is renewing your access token and has not finished in time. Try again in a moment.', signIn: false },
  IDP_UNAVAILABLE: {
    title: 'The identity provider is not answering right now',
    explanation: 'Your access token needed renewing, and the identity provider\'s token endpoint did not answer or answered with a server error. You are still signed in: nothing was changed, so reloading this page once it answers renews the token.',
    signIn: false,
  },
  GRAPH_THROTTLED: {
    title: 'Microsoft Graph is throttling requests',
    explanation: 'Microsoft Graph asked the app to slow down and kept doing so after the app waited and retried. You are still signed in; try again after the time in the Retry-After header.',
    signIn: false,
  },
  IDP_UNREACHABLE: { title: 'The identity provider is unreachable', explanation: 'The token endpoint could not be reached.', signIn: true },
};

/** What a network error code means, in words, for the unreachable pages. */
const NETWORK_CAUSES: Readonly<Record<string, string>> = {
  ENOTFOUND: 'the host name does not resolve (DNS)',
  ECONNREFUSED: 'nothing is listening there (connection refused)',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed and not trusted (set ENTRA_CA_FILE)',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain is not trusted (set ENTRA_CA_FILE)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not trusted (set ENTRA_CA_FILE)',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host name',
};

const SIGN_IN_CODES = /^(SIGNIN_|TOKEN_|CSRF_)/;
/** Failures to reach the identity provider: the page names the URL tried and the reason. */
const UNREACHABLE_CODES = new Set(['DISCOVERY_UNREACHABLE', 'JWKS_UNREACHABLE', 'IDP_UNREACHABLE']);

export interface PresentationContext {
  /** The app is configured for a local identity provider (the emulator), not Microsoft's hosts. */
  localIdp: boolean;
}

/** An error as the page the user sees; unexpected errors reveal nothing about their cause. */
export function presentError(error: unknown, context: PresentationContext = { localIdp: false }): ErrorView {
  if (!isEntrakitError(error)) {
    return { status: 500, code: 'INTERNAL_ERROR', title: 'Something went wrong', explanation: 'The app hit an unexpected error. It has been logged.', action: HOME, sessionUnchanged: false };
  }
  const known = PRESENTATION[error.code];
  const description = typeof error.details?.['errorDescription'] === 'string' ? error.details['errorDescription'] : undefined;
  const code = aadstsCode(description);
  const view: ErrorView = {
    status: error.status,
    code: error.code,
    title: known?.title ?? 'Something went wrong',
    explanation: known?.explanation ?? error.message,
    action: known?.signIn === false || !known ? HOME : TRY_AGAIN,
    sessionUnchanged: SIGN_IN_CODES.test(error.code),
  };
  if (code === '65004' || (error.code === 'SIGNIN_IDP_ERROR' && error.details?.['error'] === 'access_denied' && code === undefined)) {
    // The user said no: not a failure to apologise for, and their session (if any) is unchanged.
    const returnTo = typeof error.details?.['returnTo'] === 'string' ? error.details['returnTo'] : '/';
    return {
      status: error.status,
      code: error.code,
      title: 'You declined the permissions',
      explanation: `You chose not to give this app the permissions it asked for, so nothing was granted and nothing changed. The page you wanted (${returnTo}) needs them; going back to it will ask again.`,
      action: { href: returnTo, label: `Back to ${returnTo}` },
      sessionUnchanged: true,
      ...(code !== undefined ? { aadsts: { code, explanation: explainAadsts(code), description: (description ?? '').split(/\r?\n/)[0]?.slice(0, 400) ?? '' } } : {}),
    };
  }
  if (UNREACHABLE_CODES.has(error.code) || error.code === 'IDP_UNAVAILABLE') {
    // The message names the URL or endpoint and what happened (HTTP status, or the network error's code).
    const networkCode = networkErrorCode(error.cause);
    view.explanation = `${error.message}${networkCode ? ` (${networkCode}: ${NETWORK_CAUSES[networkCode] ?? 'a network error'})` : ''}. ${view.explanation}`;
    if (context.localIdp && UNREACHABLE_CODES.has(error.code)) view.explanation += ' Is the emulator running (entrakit emulator)?';
  }
  if (description !== undefined) {
    const firstLine = (description.split(/\r?\n/)[0] ?? '').slice(0, 400);
    if (code !== undefined) view.aadsts = { code, explanation: explainAadsts(code), description: firstLine };
    else view.explanation = `${view.explanation} It said: "${firstLine}"`;
  }
  return view;
}

/** The system error code (ECONNREFUSED, ENOTFOUND, …) somewhere in a fetch failure's cause chain. */
function networkErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (/^E[A-Z_]+$/.test(code) || Object.hasOwn(NETWORK_CAUSES, code))) return code;
    if (current instanceof AggregateError) {
      const inner = current.errors.map(networkErrorCode).find((c) => c !== undefined);
      if (inner) return inner;
    }
  }
  return undefined;
}
