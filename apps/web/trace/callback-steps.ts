import type { TraceField, TraceStep } from '../../shared/trace.ts';

/**
 * What the sign-in trace tells about the callback, the code redemption and the new session, from
 * the library's events and the validated ID token it hands to onSignIn.
 */
export function callbackSteps(at: number, state: string | undefined): TraceStep[] {
  return [
    {
      at,
      from: 'idp',
      to: 'browser',
      title: '302 to /auth/callback',
      status: 302,
      fields: [
        { name: 'code', value: '[authorization code redacted]', note: 'single use, short-lived' },
        ...(state ? [{ name: 'state', value: state, note: 'the same value the app sent' }] : []),
      ],
      notes: ['After sign-in the identity provider sends the browser back with a one-time authorization code.'],
    },
    {
      at,
      from: 'browser',
      to: 'app',
      title: 'GET /auth/callback',
      method: 'GET',
      fields: [{ name: 'state check', value: 'exact match', note: 'checked before any token call' }],
      notes: ["The transaction is taken from the store (single use) using this browser's cookie; a replayed callback finds nothing."],
    },
  ];
}

/** The token call as the library reported it ('http-call'): the form sent and the answer, redacted. */
export function tokenCallSteps(call: { at: number; ms: number; method: string; url: string; status: number | null; request?: TraceField[]; response?: TraceField[] }): TraceStep[] {
  const path = URL.canParse(call.url) ? new URL(call.url).pathname : call.url;
  const short = path.slice(path.lastIndexOf('/'));
  const sent: TraceStep = { at: call.at - call.ms, from: 'app', to: 'idp', title: `${call.method} ${short}`, method: call.method, url: call.url, fields: call.request ?? [], notes: [] };
  if (call.status === null) return [sent];
  return [sent, { at: call.at, from: 'idp', to: 'app', title: `${call.status} from ${short}`, method: call.method, status: call.status, fields: call.response ?? [], notes: [] }];
}

/** The ID token's validation (each check the validator made) and the 302 that starts the session. */
export function sessionStartSteps(input: { at: number; checks: Array<{ name: string; detail: string }>; returnTo: string; cookieName: string; secure: boolean }): TraceStep[] {
  const { at, checks, returnTo, cookieName, secure } = input;
  return [
    {
      at,
      from: 'app',
      to: 'app',
      title: 'Validate the ID token',
      fields: checks.map((check) => ({ name: check.name, value: 'passed', note: check.detail })),
      notes: [
        'The nonce in the ID token must equal the one this sign-in sent with /authorize: a token issued for another sign-in is refused.',
        'Keys come only from the JWKS named in the discovery document; MSAL itself does not check ID-token signatures.',
      ],
    },
    {
      at,
      from: 'app',
      to: 'browser',
      title: `302 to ${returnTo}`,
      status: 302,
      fields: [{ name: 'Set-Cookie', value: `${cookieName}=[new session id]; HttpOnly; SameSite=Lax; Path=/${secure ? '; Secure' : ''}`, note: 'a new id at every sign-in' }],
      notes: ['Tokens stay on the server, encrypted in the per-user token cache; the browser only holds the session id.'],
    },
  ];
}
