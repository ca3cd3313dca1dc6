import { prefixOnly, redactFields, redactUrl } from 'entrakit/internal';
import type { TraceStep } from 'entrakit/internal';

/**
 * What the sign-in trace tells about its first hops: the browser asking the app, the app's redirect
 * to /authorize (parameters redacted) and the browser arriving at the identity provider. Kept apart
 * from the route, which only decides; this only explains.
 */
export function signInStartSteps(input: { now: number; returnTo: string; authorizeUrl: string; authorizePath: string; verifier: string }): TraceStep[] {
  const { now, returnTo, authorizeUrl, authorizePath, verifier } = input;
return [
    {
      at: now,
      from: 'browser',
      to: 'app',
      title: 'GET /auth/sign-in',
      method: 'GET',
      url: `/auth/sign-in?returnTo=${returnTo}`,
      fields: [{ name: 'returnTo', value: returnTo, note: 'only same-origin paths are kept' }],
      notes: ['The app creates a state, a nonce and a PKCE verifier/challenge pair (each 256 random bits) and keeps them server-side, bound to this browser by a short-lived cookie.'],
    },
    {
      at: now,
      from: 'app',
      to: 'browser',
      title: '302 to /authorize',
      status: 302,
      url: redactUrl(authorizeUrl),
      fields: [
        ...redactFields(new URL(authorizeUrl).searchParams.entries()),
        { name: 'code_verifier (kept by the app)', value: prefixOnly(verifier), note: 'never sent to the browser; the challenge is its SHA-256' },
      ],
      notes: ['code_challenge = BASE64URL(SHA-256(code_verifier)): only the app, which knows the verifier, can redeem the code.'],
    },
    {
      at: now,
      from: 'browser',
      to: 'idp',
      title: `GET ${authorizePath.slice(authorizePath.lastIndexOf('/'))}`,
      method: 'GET',
      fields: [],
      notes: [
        'The browser follows the redirect to the authorize URL above.',
        'The identity provider shows its sign-in page, or signs the user straight in with its own SSO session cookie.',
      ],
    },
  ];
}
