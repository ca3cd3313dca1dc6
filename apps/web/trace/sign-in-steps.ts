import { redactFields } from 'entrakit/web';
import type { TraceStep } from '../../shared/trace.ts';

/**
 * What the sign-in trace tells about its first hops, from the library's 'sign-in-started' event:
 * the browser asking the app, the app's redirect to /authorize (parameters already redacted by
 * the library) and the browser arriving at the identity provider.
 */
export function signInStartSteps(input: { at: number; returnTo: string; authorizeUrl: string }): TraceStep[] {
  const { at, returnTo, authorizeUrl } = input;
  const parsed = URL.canParse(authorizeUrl) ? new URL(authorizeUrl) : undefined;
  const authorizePath = parsed?.pathname ?? '/authorize';
  return [
    {
      at,
      from: 'browser',
      to: 'app',
      title: 'GET /auth/sign-in',
      method: 'GET',
      url: `/auth/sign-in?returnTo=${returnTo}`,
      fields: [{ name: 'returnTo', value: returnTo, note: 'only same-origin paths are kept' }],
      notes: ['The app creates a state, a nonce and a PKCE verifier/challenge pair (each 256 random bits) and keeps them server-side, bound to this browser by a short-lived cookie.'],
    },
    {
      at,
      from: 'app',
      to: 'browser',
      title: '302 to /authorize',
      status: 302,
      url: authorizeUrl,
      fields: parsed ? redactFields(parsed.searchParams.entries()) : [],
      notes: ['code_challenge = BASE64URL(SHA-256(code_verifier)): only the app, which keeps the verifier, can redeem the code.'],
    },
    {
      at,
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
