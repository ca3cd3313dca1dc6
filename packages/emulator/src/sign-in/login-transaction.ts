import { isPlainObject, parseStoredJson } from 'entrakit/internal';
import type { EmulatorDeps } from '../deps.ts';
import type { AuthorizeRequest } from './authorize-request.ts';
import { sha256Base64Url, timingSafeStringEqual } from 'entrakit/internal';
import { mac, randomId } from './signing.ts';

/** How long a user may take on the login and consent pages. */
export const LOGIN_TRANSACTION_TTL_MS = 15 * 60_000;

/** What the user is being asked for: a password, an account choice, a second factor, or consent. */
export type LoginStage = 'password' | 'pick' | 'mfa' | 'consent';

/** A pending /authorize request while the user interacts; single use, bound to one browser. */
export interface LoginTransaction {
  id: string;
  /** sha256 of the browser-binding cookie that started it. */
  browser: string;
  request: AuthorizeRequest;
  stage: LoginStage;
  /** For 'pick', 'mfa' and 'consent': the SSO session the next step continues with. */
  sid?: string;
  /** Wrong second-factor codes so far; the transaction ends after a few (no brute force of 6 digits). */
  mfaFailures?: number;
  createdAt: number;
}

type TxDeps = Pick<EmulatorDeps, 'state' | 'clock'>;

const TX_ID = /^[A-Za-z0-9_-]{43}$/;
const key = (id: string) => `login-tx:${id}`;

export async function createTransaction(deps: TxDeps, request: AuthorizeRequest, browserId: string, stage: LoginStage, sid?: string): Promise<LoginTransaction> {
  const tx: LoginTransaction = { id: randomId(), browser: sha256Base64Url(browserId), request, stage, createdAt: deps.clock() };
  if (sid !== undefined) tx.sid = sid;
  await saveTransaction(deps, tx);
  return tx;
}

export async function saveTransaction(deps: TxDeps, tx: LoginTransaction): Promise<void> {
  const remaining = tx.createdAt + LOGIN_TRANSACTION_TTL_MS - deps.clock();
  if (remaining > 0) await deps.state.set(key(tx.id), JSON.stringify(tx), remaining);
}

function parse(text: string | undefined, id: string, browserId: string): LoginTransaction | undefined {
  const value = parseStoredJson(text);
  if (!isPlainObject(value) || value['id'] !== id || typeof value['browser'] !== 'string' || !isPlainObject(value['request'])) return undefined;
  const tx = value as unknown as LoginTransaction;
  return timingSafeStringEqual(tx.browser, sha256Base64Url(browserId)) ? tx : undefined;
}

/** The transaction when it exists and was started by this browser. */
export async function loadTransaction(deps: TxDeps, id: string | undefined, browserId: string | undefined): Promise<LoginTransaction | undefined> {
  if (!id || !browserId || !TX_ID.test(id)) return undefined;
  return parse(await deps.state.get(key(id)), id, browserId);
}

/** Atomically ends the transaction: of two concurrent submissions only one issues a code. */
export async function takeTransaction(deps: TxDeps, tx: LoginTransaction): Promise<boolean> {
  return (await deps.state.take(key(tx.id))) !== undefined;
}

/** CSRF token for the forms of one transaction in one browser (needs both, and our secret). */
export function csrfToken(secret: Uint8Array, txId: string, browserId: string): string {
  return mac(secret, 'login-csrf', `${txId}\0${browserId}`);
}

export function verifyCsrfToken(secret: Uint8Array, txId: string, browserId: string, token: string | undefined): boolean {
  return typeof token === 'string' && token.length < 128 && timingSafeStringEqual(token, csrfToken(secret, txId, browserId));
}
