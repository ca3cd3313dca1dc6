/**
 * The sign-in transaction (state, nonce, PKCE verifier, returnTo) is kept server-side and bound to
 * the browser that started it: the browser holds only a random id in a short-lived cookie, and the
 * record is stored under an HMAC of that id, so neither the cookie nor the store alone is enough.
 * take() is atomic: a replayed callback finds nothing.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { WebDeps } from '../context.ts';
import { clearCookie, readCookie, writeCookie } from '../middleware/cookies.ts';
import type { SignInTransaction } from '../stores.ts';

const TRANSACTION_COOKIE_SEC = 10 * 60;
const ID = /^[A-Za-z0-9_-]{43}$/;

/** 256 random bits, base64url: used for state, nonce, transaction and CSRF tokens. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function recordKey(secret: Uint8Array, id: string): string {
  return createHmac('sha256', secret).update('entrakit sign-in transaction\0').update(id).digest('base64url');
}

export async function beginTransaction(c: Context, deps: Pick<WebDeps, 'stores' | 'cookies' | 'config'>, transaction: SignInTransaction): Promise<void> {
  const id = randomToken();
  await deps.stores.transactions.put(recordKey(deps.config.sessionSecret, id), transaction);
  writeCookie(c, deps.cookies, deps.cookies.transaction, id, TRANSACTION_COOKIE_SEC);
}

/** 'missing' when this browser holds no transaction cookie; 'not-found' when used, expired or unknown. */
export async function takeTransaction(
  c: Context,
  deps: Pick<WebDeps, 'stores' | 'cookies' | 'config'>,
): Promise<SignInTransaction | 'missing' | 'not-found'> {
  const id = readCookie(c, deps.cookies.transaction);
  // The cookie has done its job either way; it must not outlive this callback.
  if (id !== undefined) clearCookie(c, deps.cookies, deps.cookies.transaction);
  if (id === undefined) return 'missing';
  if (!ID.test(id)) return 'not-found';
  return (await deps.stores.transactions.take(recordKey(deps.config.sessionSecret, id))) ?? 'not-found';
}
