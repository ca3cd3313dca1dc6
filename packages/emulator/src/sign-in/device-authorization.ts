import { randomBytes, randomInt } from 'node:crypto';
import { isPlainObject, parseStoredJson } from 'entrakit/internal';
import { sha256Base64Url } from 'entrakit/internal';
import type { EmulatorDeps } from '../deps.ts';

/** Entra's device code lifetime and polling interval (seconds). */
export const DEVICE_CODE_EXPIRES_IN_S = 900;
export const DEVICE_CODE_INTERVAL_S = 5;
/** A poll this much earlier than the interval still counts as on time (timers and networks jitter). */
export const POLL_GRACE_MS = 1000;
/** Records outlive their expiry, so late polls answer expired_token rather than bad_verification_code. */
const AFTER_EXPIRY_MS = 15 * 60_000;
// No 0/O, 1/I/L, 5/S, 2/Z: user codes are read off one screen and typed on another.
const USER_CODE_ALPHABET = 'ABCDEFGHJKMNPQRTUVWXY346789';
const USER_CODE_LENGTH = 9;

export type DeviceStatus = 'pending' | 'approved' | 'declined';

/** One device authorization: created by /devicecode, completed on the verification page, redeemed by polling. */
export interface DeviceAuthorization {
  /** sha256 of the device code: the record's key (the code itself is never stored). */
  id: string;
  userCode: string;
  clientId: string;
  /** The tenant the /devicecode request named; null for common/organizations. */
  tenantId: string | null;
  scope: string;
  status: DeviceStatus;
  createdAt: number;
  expiresAt: number;
  /** Seconds between polls; grows by 5 after each slow_down (RFC 8628). */
  interval: number;
  lastPollAt?: number;
  /** Set on approval. */
  userId?: string;
  userTenantId?: string;
  sid?: string;
  amr?: string[];
  authTime?: number;
}

type StateDeps = Pick<EmulatorDeps, 'state' | 'clock'>;

const recordKey = (id: string) => `device:${id}`;
const userCodeKey = (userCode: string) => `device-user:${userCode}`;

/** Upper case without spaces or dashes, so `abcd-efgh j` finds `ABCDEFGHJ`. */
export function normalizeUserCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').slice(0, 32);
}

function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

function parse(text: string | undefined): DeviceAuthorization | undefined {
  const value = parseStoredJson(text);
  if (!isPlainObject(value) || typeof value['id'] !== 'string' || typeof value['userCode'] !== 'string' || typeof value['expiresAt'] !== 'number') return undefined;
  return value as unknown as DeviceAuthorization;
}

export async function saveDeviceAuthorization(deps: StateDeps, record: DeviceAuthorization): Promise<void> {
  const ttl = record.expiresAt + AFTER_EXPIRY_MS - deps.clock();
  if (ttl > 0) await deps.state.set(recordKey(record.id), JSON.stringify(record), ttl);
}

/** Starts a device authorization; returns the device code (256 bits, shown once) and the record. */
export async function startDeviceAuthorization(deps: StateDeps, fields: Pick<DeviceAuthorization, 'clientId' | 'tenantId' | 'scope'>): Promise<{ deviceCode: string; record: DeviceAuthorization }> {
  const deviceCode = randomBytes(48).toString('base64url');
  const now = deps.clock();
  let userCode = newUserCode();
  // 27^9 codes: a collision among live codes is unlikely, but never hand out one twice.
  for (let attempt = 0; (await deps.state.get(userCodeKey(userCode))) !== undefined && attempt < 5; attempt++) userCode = newUserCode();
  const record: DeviceAuthorization = {
    id: sha256Base64Url(deviceCode),
    userCode,
    ...fields,
    status: 'pending',
    createdAt: now,
    expiresAt: now + DEVICE_CODE_EXPIRES_IN_S * 1000,
    interval: DEVICE_CODE_INTERVAL_S,
  };
  await saveDeviceAuthorization(deps, record);
  await deps.state.set(userCodeKey(userCode), record.id, DEVICE_CODE_EXPIRES_IN_S * 1000 + AFTER_EXPIRY_MS);
  return { deviceCode, record };
}

export async function loadByDeviceCode(deps: StateDeps, deviceCode: string): Promise<DeviceAuthorization | undefined> {
  return loadById(deps, sha256Base64Url(deviceCode));
}

export async function loadById(deps: StateDeps, id: string): Promise<DeviceAuthorization | undefined> {
  const record = parse(await deps.state.get(recordKey(id)));
  return record?.id === id ? record : undefined;
}

export async function loadByUserCode(deps: StateDeps, userCode: string): Promise<DeviceAuthorization | undefined> {
  const id = await deps.state.get(userCodeKey(normalizeUserCode(userCode)));
  return id === undefined ? undefined : loadById(deps, id);
}

/** Ends the authorization atomically: of two concurrent redemptions only one gets tokens. */
export async function takeDeviceAuthorization(deps: StateDeps, record: DeviceAuthorization): Promise<boolean> {
  const taken = await deps.state.take(recordKey(record.id));
  if (taken === undefined) return false;
  await deps.state.delete(userCodeKey(record.userCode));
  return true;
}
