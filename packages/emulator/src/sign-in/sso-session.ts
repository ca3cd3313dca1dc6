import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { isPlainObject, parseStoredJson } from 'entrakit/internal';
import type { EmulatorDeps } from '../deps.ts';
import type { User } from '../directory/types.ts';
import { readSsoCookie } from './cookies.ts';

/** Sliding lifetime of an SSO session: every use extends it by this much. */
export const SSO_SESSION_TTL_MS = 24 * 3600_000;

export interface SessionClient {
  clientId: string;
  /** The app's front-channel logout URL when it signed in (app.web.logoutUrl). */
  frontchannelLogoutUri: string | null;
}

/** One browser's sign-in at the emulator (Entra's ESTS session); `sid` becomes the `sid` claim. */
export interface SsoSession {
  sid: string;
  userId: string;
  tenantId: string;
  /** Seconds since the epoch of the last password entry (`auth_time`). */
  authTime: number;
  createdAt: number;
  /** Milliseconds since the epoch of the last password entry (revocations compare against it). */
  signedInAt?: number;
  /** Methods used: ['pwd'], then ['pwd', 'mfa'] once the second factor was given. */
  amr: string[];
  clients: SessionClient[];
}

type SessionDeps = Pick<EmulatorDeps, 'state' | 'clock'>;

const key = (sid: string) => `sso:${sid}`;

function isSession(value: unknown): value is SsoSession {
  return (
    isPlainObject(value) &&
    typeof value['sid'] === 'string' &&
    typeof value['userId'] === 'string' &&
    typeof value['tenantId'] === 'string' &&
    typeof value['authTime'] === 'number' &&
    Array.isArray(value['amr']) &&
    Array.isArray(value['clients'])
  );
}

export async function loadSsoSession(deps: SessionDeps, sid: string): Promise<SsoSession | undefined> {
  const value = parseStoredJson(await deps.state.get(key(sid)));
  return isSession(value) && value.sid === sid ? value : undefined;
}

export async function saveSsoSession(deps: SessionDeps, session: SsoSession): Promise<void> {
  await deps.state.set(key(session.sid), JSON.stringify(session), SSO_SESSION_TTL_MS);
}

export async function deleteSsoSession(deps: SessionDeps, sid: string): Promise<void> {
  await deps.state.delete(key(sid));
}

/**
 * After a password sign-in. The same user re-authenticating keeps the session (and the apps it
 * must log out of) with a fresh auth time; anyone else gets a new session id.
 */
export async function startSsoSession(deps: SessionDeps, previous: SsoSession | undefined, user: User, tenantId: string): Promise<SsoSession> {
  const signedInAt = deps.clock();
  const authTime = Math.floor(signedInAt / 1000);
  const session: SsoSession =
    previous && previous.userId === user.id && previous.tenantId === tenantId
      ? { ...previous, authTime, signedInAt, amr: ['pwd'] }
      : { sid: randomUUID(), userId: user.id, tenantId, authTime, signedInAt, createdAt: signedInAt, amr: ['pwd'], clients: [] };
  if (previous && previous.sid !== session.sid) await deleteSsoSession(deps, previous.sid);
  await saveSsoSession(deps, session);
  return session;
}

export function withClient(session: SsoSession, client: SessionClient): SsoSession {
  const others = session.clients.filter((c) => c.clientId !== client.clientId);
  return { ...session, clients: [...others, client] };
}

export interface ActiveSession {
  session: SsoSession;
  user: User;
}

/** Whether Graph's revokeSignInSessions came after this session's sign-in: it no longer counts. */
export function sessionRevoked(deps: Pick<EmulatorDeps, 'directory'>, session: SsoSession): boolean {
  const revokedAt = deps.directory.revokedAt(session.userId);
  return revokedAt !== undefined && (session.signedInAt ?? session.authTime * 1000) < revokedAt;
}

/** The browser's SSO session when its cookie verifies, the record exists, it was not revoked and the user may still sign in. */
export async function currentSession(c: Context, deps: Pick<EmulatorDeps, 'state' | 'clock' | 'cookieSecret' | 'directory'>): Promise<ActiveSession | undefined> {
  const sid = readSsoCookie(c, deps.cookieSecret);
  const session = sid ? await loadSsoSession(deps, sid) : undefined;
  if (!session || sessionRevoked(deps, session)) return undefined;
  const stored = deps.directory.objects.get('user', session.userId);
  if (!stored || stored.tenantId !== session.tenantId || !stored.value.accountEnabled) return undefined;
  return { session, user: stored.value };
}
