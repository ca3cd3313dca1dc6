/**
 * A request that a claims challenge interrupted (typically a POST: a delete the API wants a
 * second factor for) cannot be replayed by the browser after sign-in. Instead the app keeps what
 * it was doing as a small JSON action, server-side under an unguessable id, and sends the user
 * through sign-in with the claims; back on `returnTo?resume=<id>` it takes the action once, and
 * only the same user can (a forged or shared link finds nothing).
 */
import { isEntrakitError } from '../core/errors.ts';
import type { JsonValue } from '../store/json.ts';
import { validClaimsRequest } from './claims-request.ts';
import type { LoadedSession, WebCore } from './core.ts';
import { keyedHash, randomToken, TOKEN_SHAPE } from './random.ts';
import { safeReturnTo } from './return-to.ts';
import { TRANSACTION_TTL_MS } from './sign-in-transaction.ts';
import { startSignIn } from './start-sign-in.ts';

const MAX_ACTION_CHARS = 4096;
export const RESUME_PARAM = 'resume';

const storeKey = (core: WebCore, id: string): string => `ek:web:resume:${keyedHash(core.settings.secret, 'resume', id)}`;

/** The claims request of a STEP_UP_REQUIRED error, or a claims request given as JSON. */
function claimsOf(challenge: unknown): string {
  const raw = isEntrakitError(challenge, 'STEP_UP_REQUIRED') ? challenge.details?.['claims'] : challenge;
  const claims = typeof raw === 'string' ? validClaimsRequest(raw) : undefined;
  if (claims === undefined) throw new TypeError('stepUp: "challenge" must be a STEP_UP_REQUIRED error or a claims request (JSON)');
  return claims;
}

export async function stepUp(
  core: WebCore,
  session: LoadedSession,
  cookieHeader: string | null,
  challenge: unknown,
  options: { returnTo: string; action?: JsonValue },
): Promise<Response> {
  const claims = claimsOf(challenge);
  if (typeof options?.returnTo !== 'string') throw new TypeError('stepUp: "options.returnTo" must be a path of this app');
  const returnTo = new URL(safeReturnTo(options.returnTo), 'http://app.invalid');
  if (options.action !== undefined) {
    const json = JSON.stringify(options.action);
    if (json === undefined || json.length > MAX_ACTION_CHARS) throw new TypeError(`stepUp: "options.action" must be JSON of at most ${MAX_ACTION_CHARS} characters`);
    const id = randomToken();
    await core.stores.kv.set(storeKey(core, id), JSON.stringify({ tid: session.data.tid, oid: session.data.oid, action: options.action }), TRANSACTION_TTL_MS);
    returnTo.searchParams.set(RESUME_PARAM, id);
  }
  return startSignIn(core, cookieHeader, { returnTo: `${returnTo.pathname}${returnTo.search}`, claims });
}

/** The action stepUp kept under `id`, taken (single use), when it belongs to this session's user. */
export async function resumeAction(core: WebCore, session: LoadedSession, id: unknown): Promise<JsonValue | undefined> {
  if (typeof id !== 'string' || !TOKEN_SHAPE.test(id)) return undefined;
  const key = storeKey(core, id);
  const raw = await core.stores.kv.get(key);
  if (raw === undefined) return undefined;
  let kept: { tid?: unknown; oid?: unknown; action?: JsonValue };
  try {
    kept = JSON.parse(raw) as typeof kept;
  } catch {
    return undefined;
  }
  // Another user's attempt leaves the action to its owner.
  if (kept.tid !== session.data.tid || kept.oid !== session.data.oid) return undefined;
  // Taken, not just read: of two concurrent returns only one gets it.
  return (await core.stores.kv.take(key)) === undefined ? undefined : kept.action;
}
