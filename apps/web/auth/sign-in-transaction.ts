/**
 * Sign-in transactions (state, nonce, PKCE verifier, returnTo) are kept server-side and bound to
 * the browser that started them: the browser holds only a random id in a short-lived cookie, and
 * each record is stored under an HMAC of that id and the transaction's state, so neither the
 * cookie nor the store alone is enough. One browser may have several open at once (two tabs
 * signing in), each found by the state the identity provider returns; at most
 * MAX_OPEN_PER_BROWSER, the oldest giving way. take() is atomic: a replayed callback finds nothing.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { WebDeps } from '../context.ts';
import { clearCookie, readCookie, writeCookie } from '../middleware/cookies.ts';
import { TRANSACTION_TTL_MS } from '../stores.ts';
import type { SignInTransaction } from '../stores.ts';

const ID = /^[A-Za-z0-9_-]{43}$/;
/** Tabs of one browser that may be signing in at the same time. */
export const MAX_OPEN_PER_BROWSER = 5;

type TransactionDeps = Pick<WebDeps, 'stores' | 'cookies' | 'config' | 'clock'>;

/** 256 random bits, base64url: used for state, nonce, transaction and CSRF tokens. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function hmac(secret: Uint8Array, label: string, ...parts: string[]): string {
  const mac = createHmac('sha256', secret).update(`entrakit ${label}\0`);
  for (const part of parts) mac.update(part).update('\0');
  return mac.digest('base64url');
}

const recordKey = (secret: Uint8Array, browserId: string, state: string): string => hmac(secret, 'sign-in transaction', browserId, state);
const browserKey = (secret: Uint8Array, browserId: string): string => hmac(secret, 'sign-in browser', browserId);

export async function beginTransaction(c: Context, deps: TransactionDeps, transaction: SignInTransaction): Promise<void> {
  const secret = deps.config.sessionSecret;
  const existing = readCookie(c, deps.cookies.transaction);
  const browserId = existing !== undefined && ID.test(existing) ? existing : randomToken();
  const key = recordKey(secret, browserId, transaction.state);
  const now = deps.clock();
  // Read-modify-write of a short list: if two tabs start at the very same moment one entry may be
  // missed here; its record still completes and expires on its own after the TTL.
  const open = (await deps.stores.browserTransactions.get(browserKey(secret, browserId))).filter((entry) => entry.at + TRANSACTION_TTL_MS > now);
  while (open.length >= MAX_OPEN_PER_BROWSER) {
    const oldest = open.shift();
    if (oldest) await deps.stores.transactions.take(oldest.key);
  }
  await deps.stores.transactions.put(key, transaction);
  await deps.stores.browserTransactions.set(browserKey(secret, browserId), [...open, { key, at: now }]);
  writeCookie(c, deps.cookies, deps.cookies.transaction, browserId, TRANSACTION_TTL_MS / 1000);
}

/**
 * The transaction this browser opened with `state`, taken (single use). 'missing': no transaction
 * cookie; 'mismatch': this browser has sign-ins open, none with this state; 'not-found': nothing
 * open (used, expired or unknown).
 */
export async function takeTransaction(c: Context, deps: TransactionDeps, state: string): Promise<SignInTransaction | 'missing' | 'mismatch' | 'not-found'> {
  const browserId = readCookie(c, deps.cookies.transaction);
  if (browserId === undefined) return 'missing';
  if (!ID.test(browserId)) {
    clearCookie(c, deps.cookies, deps.cookies.transaction);
    return 'not-found';
  }
  const secret = deps.config.sessionSecret;
  const key = recordKey(secret, browserId, state);
  const transaction = await deps.stores.transactions.take(key);
  const now = deps.clock();
  const listKey = browserKey(secret, browserId);
  const stillOpen = (await deps.stores.browserTransactions.get(listKey)).filter((entry) => entry.key !== key && entry.at + TRANSACTION_TTL_MS > now);
  if (stillOpen.length === 0) {
    // The cookie has done its job; it must not outlive the last open sign-in.
    await deps.stores.browserTransactions.delete(listKey);
    clearCookie(c, deps.cookies, deps.cookies.transaction);
  } else {
    await deps.stores.browserTransactions.set(listKey, stillOpen);
  }
  if (transaction !== undefined) return transaction;
  return stillOpen.length > 0 ? 'mismatch' : 'not-found';
}
