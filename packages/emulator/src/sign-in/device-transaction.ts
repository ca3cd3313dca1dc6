import { isPlainObject, parseStoredJson } from 'entrakit/internal';
import { sha256Base64Url, timingSafeStringEqual } from 'entrakit/internal';
import type { EmulatorDeps } from '../deps.ts';
import { randomId } from './signing.ts';

/** How long a person may take on the verification pages once the code was accepted. */
const DEVICE_TX_TTL_MS = 15 * 60_000;
const TX_ID = /^[A-Za-z0-9_-]{43}$/;

/** Where one browser is in the verification pages for one device authorization. */
export interface DeviceTransaction {
  id: string;
  /** sha256 of the browser-binding cookie. */
  browser: string;
  /** The device authorization's id. */
  deviceId: string;
  stage: 'password' | 'confirm' | 'consent';
  /** For confirm and consent: the SSO session that signs the device in. */
  sid?: string;
  createdAt: number;
}

type TxDeps = Pick<EmulatorDeps, 'state' | 'clock'>;
const key = (id: string) => `device-tx:${id}`;

export async function saveDeviceTransaction(deps: TxDeps, tx: DeviceTransaction): Promise<void> {
  const remaining = tx.createdAt + DEVICE_TX_TTL_MS - deps.clock();
  if (remaining > 0) await deps.state.set(key(tx.id), JSON.stringify(tx), remaining);
}

export async function createDeviceTransaction(deps: TxDeps, browserId: string, deviceId: string, stage: DeviceTransaction['stage'], sid?: string): Promise<DeviceTransaction> {
  const tx: DeviceTransaction = { id: randomId(), browser: sha256Base64Url(browserId), deviceId, stage, createdAt: deps.clock() };
  if (sid !== undefined) tx.sid = sid;
  await saveDeviceTransaction(deps, tx);
  return tx;
}

/** The transaction when it exists and this browser started it. */
export async function loadDeviceTransaction(deps: TxDeps, id: string | undefined, browserId: string): Promise<DeviceTransaction | undefined> {
  if (!id || !TX_ID.test(id)) return undefined;
  const value = parseStoredJson(await deps.state.get(key(id)));
  if (!isPlainObject(value) || value['id'] !== id || typeof value['browser'] !== 'string' || typeof value['deviceId'] !== 'string') return undefined;
  const tx = value as unknown as DeviceTransaction;
  return timingSafeStringEqual(tx.browser, sha256Base64Url(browserId)) ? tx : undefined;
}

export async function endDeviceTransaction(deps: TxDeps, tx: DeviceTransaction): Promise<void> {
  await deps.state.delete(key(tx.id));
}
