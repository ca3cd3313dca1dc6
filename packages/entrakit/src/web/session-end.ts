/**
 * Ending sessions. A user's cached tokens are shared by all their sessions (one per browser), so
 * they go with the last one; "everywhere" ends every session of the user and the tokens at once.
 */
import type { WebCore } from './core.ts';

/** Ends one session by its reference; false when it had already ended. */
export async function endSessionByReference(core: WebCore, reference: string, homeAccountId?: string): Promise<boolean> {
  const record = await core.stores.sessions.getByReference(reference);
  await core.stores.sessions.destroyByReference(reference);
  const account = homeAccountId ?? record?.data.homeAccountId;
  if (account !== undefined) await forgetSession(core, account, reference);
  return record !== undefined;
}

/** Every session of the user, in every browser, and their cached tokens; the number ended. */
export async function endEverySession(core: WebCore, homeAccountId: string): Promise<number> {
  let ended = 0;
  for (const reference of await core.stores.accountSessions.list(homeAccountId)) {
    if (await core.stores.sessions.getByReference(reference)) ended += 1;
    await core.stores.sessions.destroyByReference(reference);
    await core.stores.accountSessions.remove(homeAccountId, reference);
  }
  await core.stores.tokenCache.delete(homeAccountId);
  return ended;
}

/**
 * Drops the session from the user's index and deletes their tokens when no live session remains.
 * The session itself is destroyed first, so of two last sessions ending at once at least one sees
 * none left.
 */
async function forgetSession(core: WebCore, homeAccountId: string, reference: string): Promise<void> {
  await core.stores.accountSessions.remove(homeAccountId, reference);
  let live = 0;
  for (const other of await core.stores.accountSessions.list(homeAccountId)) {
    if (await core.stores.sessions.getByReference(other)) live += 1;
    else await core.stores.accountSessions.remove(homeAccountId, other);
  }
  if (live === 0) await core.stores.tokenCache.delete(homeAccountId);
}
