import type { LoadedSession, WebDeps } from '../context.ts';

/** Destroys the app session and the user's cached tokens (the identity provider's session is untouched). */
export async function endAppSession(deps: Pick<WebDeps, 'stores' | 'logger'>, session: LoadedSession, reason: string): Promise<void> {
  await deps.stores.sessions.destroy(session.id);
  await deps.stores.tokenCache.delete(session.data.homeAccountId);
  deps.logger.info({ event: 'sign-out', reason, tid: session.data.tid, oid: session.data.oid }, 'session ended');
}
