import type { LoadedSession, WebDeps } from '../context.ts';

type EndDeps = Pick<WebDeps, 'stores' | 'logger'>;

/**
 * Ends one app session (the identity provider's session is untouched). The user's cached tokens
 * are shared by all their sessions (one per browser), so they go only with the last one.
 */
export async function endAppSession(deps: EndDeps, session: LoadedSession, reason: string): Promise<void> {
  const reference = deps.stores.sessions.reference(session.id);
  await deps.stores.sessions.destroy(session.id);
  if (reference !== undefined) await forgetSession(deps, session.data.homeAccountId, reference);
  deps.logger.info({ event: 'sign-out', reason, tid: session.data.tid, oid: session.data.oid }, 'session ended');
}

/** Ends the session with this reference (front-channel logout); false when it had already ended. */
export async function endSessionByReference(deps: EndDeps, reference: string): Promise<boolean> {
  const record = await deps.stores.sessions.getByReference(reference);
  if (!record) return false;
  await deps.stores.sessions.destroyByReference(reference);
  await forgetSession(deps, record.data.homeAccountId, reference);
  return true;
}

/** "Sign out everywhere": every session of the user, in every browser, and their cached tokens. */
export async function endEverySession(deps: EndDeps, homeAccountId: string): Promise<number> {
  let ended = 0;
  for (const reference of await deps.stores.accountSessions.list(homeAccountId)) {
    if (await deps.stores.sessions.getByReference(reference)) ended += 1;
    await deps.stores.sessions.destroyByReference(reference);
    await deps.stores.accountSessions.remove(homeAccountId, reference);
  }
  await deps.stores.tokenCache.delete(homeAccountId);
  return ended;
}

/**
 * Drops the session from the user's index and deletes their tokens when no live session remains.
 * The session itself is destroyed first, so of two last sessions ending at once at least one
 * sees none left.
 */
async function forgetSession(deps: EndDeps, homeAccountId: string, reference: string): Promise<void> {
  await deps.stores.accountSessions.remove(homeAccountId, reference);
  let live = 0;
  for (const other of await deps.stores.accountSessions.list(homeAccountId)) {
    if (await deps.stores.sessions.getByReference(other)) live += 1;
    // Timed out (idle): it no longer counts, and its index entry goes too.
    else await deps.stores.accountSessions.remove(homeAccountId, other);
  }
  if (live === 0) await deps.stores.tokenCache.delete(homeAccountId);
}
