import { prefixOnly, redactField } from 'entrakit/internal';
import type { IdTokenValidationResult } from 'entrakit';
import type { TraceStep } from 'entrakit/internal';

/**
 * What the sign-in trace tells about the callback: the code coming back, the state check, the ID
 * token's validation and the new session. Kept apart from the route, which only decides.
 */
export function callbackSteps(now: number, code: string, state: string): TraceStep[] {
  return [
    {
      at: now,
      from: 'idp',
      to: 'browser',
      title: '302 to /auth/callback',
      status: 302,
      fields: [redactField('code', code), { ...redactField('state', state), note: 'the same value the app sent' }],
      notes: ['After sign-in the identity provider sends the browser back with a one-time authorization code.'],
    },
    {
      at: now,
      from: 'browser',
      to: 'app',
      title: 'GET /auth/callback',
      method: 'GET',
      fields: [{ name: 'state check', value: 'exact match', note: 'checked before any token call' }],
      notes: ['The transaction is taken from the store (single use) using this browser\'s cookie; a replayed callback finds nothing.'],
    },
  ];
}

/** The validated ID token's checks and the 302 that starts the new session. */
export function sessionStartSteps(input: {
  now: number;
  later: number;
  validated: IdTokenValidationResult;
  nonceSent: string;
  returnTo: string;
  cookies: { session: string; secure: boolean };
}): TraceStep[] {
  const { now, later, validated, nonceSent, returnTo, cookies } = input;
  return [
    {
      at: now,
      from: 'app',
      to: 'app',
      title: 'Validate the ID token',
      fields: validated.checks.map((check) => ({ name: check.name, value: 'passed', note: check.detail })),
      notes: [
        `nonce round trip: sent ${prefixOnly(nonceSent, 8)} with /authorize, found ${prefixOnly(String(validated.claims['nonce']), 8)} in the ID token.`,
        'Keys come only from the JWKS named in the discovery document; MSAL itself does not check ID-token signatures.',
      ],
    },
    {
      at: later,
      from: 'app',
      to: 'browser',
      title: `302 to ${returnTo}`,
      status: 302,
      fields: [{ name: 'Set-Cookie', value: `${cookies.session}=[new session id]; HttpOnly; SameSite=Lax; Path=/${cookies.secure ? '; Secure' : ''}`, note: 'a new id at every sign-in' }],
      notes: ['Tokens stay on the server, encrypted in the per-user token cache; the browser only holds the session id.'],
    },
  ];
}
