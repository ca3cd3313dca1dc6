/**
 * Did the identity provider ask for a password at this sign-in, or sign the user straight in with
 * its SSO session? Decided on the app side from what the ID token says:
 * - `auth_time` (when present: an optional claim in Entra) against the time this sign-in started;
 * - otherwise `sid`, the identity provider's SSO session id: one the user signed in with before
 *   means that session was reused; a new one means a new SSO session, begun with a password.
 */
import type { TraceStep } from '../../shared/trace.ts';
import type { JsonObject } from 'entrakit/store';
import type { WebDeps } from '../context.ts';

export interface SignInVerdict {
  /** true: a password was asked; false: SSO, no password; null: the app cannot tell. */
  passwordAsked: boolean | null;
  basis: 'auth_time' | 'sid' | 'none';
  /** One plain sentence for the page. */
  text: string;
  why: string;
  correlationId: string;
  startedAt: number;
  completedAt: number;
  authTime: number | null;
  sidSeenBefore: boolean | null;
  /** When this SSO session was first seen by the app (ms), if it was. */
  ssoSessionSeenAt: number | null;
}

const MAX_SIDS = 20;
/** auth_time is in whole seconds. */
const AUTH_TIME_SLACK_MS = 1_000;

const sidsKey = (claims: JsonObject) => `web:idp-sids:${encodeURIComponent(String(claims['tid']))}.${encodeURIComponent(String(claims['oid']))}`;
const verdictKey = (correlationId: string) => `web:idp-verdict:${correlationId}`;

export async function judgeSignIn(
  deps: Pick<WebDeps, 'stores' | 'clock' | 'config'>,
  input: { startedAt: number; claims: JsonObject; correlationId: string },
): Promise<SignInVerdict> {
  const { claims, startedAt, correlationId } = input;
  const completedAt = deps.clock();
  const sid = typeof claims['sid'] === 'string' ? claims['sid'] : null;
  const authTime = typeof claims['auth_time'] === 'number' ? claims['auth_time'] : null;
  const seen = parseSids(await deps.stores.kv.get(sidsKey(claims)));
  const previous = sid ? seen.find((entry) => entry.sid === sid) : undefined;
  if (sid) {
    const next = [{ sid, at: previous?.at ?? completedAt }, ...seen.filter((entry) => entry.sid !== sid)].slice(0, MAX_SIDS);
    await deps.stores.kv.set(sidsKey(claims), JSON.stringify(next), deps.config.sessionAbsoluteMs);
  }
  const base = { correlationId, startedAt, completedAt, authTime, sidSeenBefore: sid ? previous !== undefined : null, ssoSessionSeenAt: previous?.at ?? null };
  let verdict: SignInVerdict;
  if (authTime !== null) {
    const fresh = authTime * 1000 > startedAt - AUTH_TIME_SLACK_MS;
    verdict = fresh
      ? { ...base, passwordAsked: true, basis: 'auth_time', text: 'The identity provider asked for your password at this sign-in.', why: `auth_time (${iso(authTime * 1000)}) is after this sign-in started (${iso(startedAt)}).` }
      : { ...base, passwordAsked: false, basis: 'auth_time', text: 'The identity provider signed you straight back in without a password.', why: `Its SSO session did: auth_time (${iso(authTime * 1000)}), when you last typed a password, is before this sign-in started (${iso(startedAt)}).` };
  } else if (sid && previous) {
    verdict = {
      ...base,
      passwordAsked: false,
      basis: 'sid',
      text: 'The identity provider signed you straight back in without a password.',
      why: `Its SSO session (a cookie in this browser on ${new URL(deps.config.instance).host}) was still active: the ID token carries the same session id (sid) as your sign-in at ${iso(previous.at)}. Signing out of this app ended only the app's session.`,
    };
  } else if (sid) {
    verdict = {
      ...base,
      passwordAsked: true,
      basis: 'sid',
      text: 'The identity provider asked for your password: a new SSO session began.',
      why: 'The ID token carries a session id (sid) this app has not seen for you before: there was no identity-provider session to reuse (first sign-in, or after "Sign out everywhere").',
    };
  } else {
    verdict = { ...base, passwordAsked: null, basis: 'none', text: 'The app cannot tell whether a password was asked.', why: 'The ID token has neither auth_time nor sid.' };
  }
  await deps.stores.kv.set(verdictKey(correlationId), JSON.stringify(verdict), deps.config.sessionAbsoluteMs);
  return verdict;
}

export async function storedVerdict(deps: Pick<WebDeps, 'stores'>, correlationId: string): Promise<SignInVerdict | undefined> {
  const text = await deps.stores.kv.get(verdictKey(correlationId));
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as SignInVerdict;
    return typeof value.text === 'string' && typeof value.why === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The verdict as a step of the sign-in trace. */
export function verdictStep(verdict: SignInVerdict): TraceStep {
  return {
    at: verdict.completedAt,
    from: 'idp',
    to: 'app',
    title: verdict.passwordAsked === false ? 'SSO: no password asked' : verdict.passwordAsked ? 'Password asked' : 'Password asked?',
    fields: [
      { name: 'client-request-id', value: verdict.correlationId, note: 'sent on /authorize and the token call; matches the identity provider\'s log' },
      { name: 'auth_time', value: verdict.authTime === null ? 'not in the ID token' : iso(verdict.authTime * 1000), note: 'optional claim in Entra: when the user last typed credentials' },
      { name: 'sid', value: verdict.sidSeenBefore === null ? 'none' : verdict.sidSeenBefore ? 'seen before: the same SSO session' : 'new SSO session', note: 'the identity provider\'s session id' },
      { name: 'time at the identity provider', value: `${Math.max(0, verdict.completedAt - verdict.startedAt)} ms`, note: 'from the redirect to /authorize until the code came back' },
    ],
    notes: [verdict.text, verdict.why],
  };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function parseSids(text: string | undefined): Array<{ sid: string; at: number }> {
  if (text === undefined) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((e): e is { sid: string; at: number } => typeof e?.sid === 'string' && typeof e?.at === 'number') : [];
  } catch {
    return [];
  }
}
