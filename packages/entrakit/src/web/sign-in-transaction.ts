/**
 * Sign-in transactions (state, nonce, PKCE verifier, returnTo) kept server-side and bound to the
 * browser that started them. Each transaction has its OWN short-lived cookie, named after its
 * state and holding a random binding; the record is stored under a keyed hash of the state and
 * that binding, so neither the cookie nor the store alone is enough. Tabs signing in at the same
 * time each write a different cookie and a different record: there is no shared browser id and no
 * list to read and write back, so parallel sign-ins cannot overwrite each other.
 */
import type { TransactionStore } from '../store/transaction-store.ts';
import type { CookiePolicy } from './cookies.ts';
import { clearCookieLine, parseCookies, serializeCookie } from './cookies.ts';
import { keyedHash, randomToken, TOKEN_SHAPE } from './random.ts';

export type SignInTransaction = {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  scopes: string[];
  createdAt: number;
  /** A claims request (from a claims challenge or step-up) sent to /authorize and with the code redemption. */
  claims?: string;
  /** The sign-in's client-request-id (sent to /authorize and with the code redemption); absent in records from older versions. */
  correlationId?: string;
  /** This sign-in is the silent retry (prompt=none) after a failed code redemption: no third attempt. */
  silentRetry?: boolean;
};

export const TRANSACTION_TTL_MS = 10 * 60_000;
/** Sign-ins one browser may have open at once (tabs); beyond it the oldest cookies are dropped. */
export const MAX_OPEN_PER_BROWSER = 8;
const COOKIE_BASE = 'entrakit-tx-';
const VALUE = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;

export type TakeResult = SignInTransaction | 'missing' | 'mismatch' | 'not-found';

export interface SignInTransactions {
  /** Stores the transaction; returns the Set-Cookie lines the redirect must carry. */
  begin(cookieHeader: string | null, transaction: SignInTransaction): Promise<string[]>;
  /**
   * The transaction this browser opened with `state`, taken (single use), and the Set-Cookie line
   * that clears its cookie. 'missing': no sign-in cookie at all; 'mismatch': this browser has other
   * sign-ins open, none with this state; 'not-found': used, expired or forged.
   */
  take(cookieHeader: string | null, state: string): Promise<{ result: TakeResult; setCookie: string[] }>;
}

export function createSignInTransactions(options: {
  store: TransactionStore<SignInTransaction>;
  secret: Uint8Array;
  cookies: CookiePolicy;
  clock: () => number;
}): SignInTransactions {
  const { store, secret, cookies, clock } = options;
  const prefix = cookies.prefix + COOKIE_BASE;
  // 16 bytes of the keyed hash: unguessable from the state alone, short enough for a cookie name.
  const cookieName = (state: string): string => prefix + keyedHash(secret, 'sign-in cookie', state).slice(0, 22);
  const recordKey = (state: string, binding: string): string => keyedHash(secret, 'sign-in transaction', state, binding);

  function openCookies(header: string | null): Array<{ name: string; issuedAt: number }> {
    const open: Array<{ name: string; issuedAt: number }> = [];
    for (const [name, value] of parseCookies(header)) {
      if (!name.startsWith(prefix)) continue;
      const match = VALUE.exec(value);
      open.push({ name, issuedAt: match ? parseInt(match[1] ?? '0', 36) : 0 });
    }
    return open;
  }

  return {
    async begin(header, transaction) {
      const binding = randomToken();
      await store.put(recordKey(transaction.state, binding), transaction);
      const issuedAt = Math.floor(clock() / 1000).toString(36);
      const lines = [serializeCookie(cookies, cookieName(transaction.state), `${issuedAt}.${binding}`, TRANSACTION_TTL_MS / 1000)];
      // Keep the number of cookies bounded: the oldest sign-ins of this browser give way.
      const open = openCookies(header).sort((a, b) => a.issuedAt - b.issuedAt);
      for (const stale of open.slice(0, Math.max(0, open.length - (MAX_OPEN_PER_BROWSER - 1)))) lines.push(clearCookieLine(cookies, stale.name));
      return lines;
    },
    async take(header, state) {
      const name = cookieName(state);
      const value = parseCookies(header).get(name);
      if (value === undefined) {
        return { result: openCookies(header).length > 0 ? 'mismatch' : 'missing', setCookie: [] };
      }
      const setCookie = [clearCookieLine(cookies, name)];
      const match = VALUE.exec(value);
      const binding = match?.[2];
      if (binding === undefined || !TOKEN_SHAPE.test(binding)) return { result: 'not-found', setCookie };
      const transaction = await store.take(recordKey(state, binding));
      return { result: transaction ?? 'not-found', setCookie };
    },
  };
}
