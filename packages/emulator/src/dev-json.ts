import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * How code "running on an Azure resource" reaches the emulator's managed identities: set
 * IDENTITY_ENDPOINT and IDENTITY_HEADER (App Service) or AZURE_POD_IDENTITY_AUTHORITY_HOST to
 * `imdsEndpoint` (IMDS); `clientId` picks the user-assigned identity.
 */
export interface DevJsonManagedIdentity {
  identityEndpoint: string;
  identityHeader: string;
  imdsEndpoint: string;
  /** The (first) user-assigned identity's client id. */
  clientId?: string;
  identities: Array<{ name: string; type: 'SystemAssigned' | 'UserAssigned'; tenantId: string; clientId: string; principalId: string; resourceId: string }>;
}

/** `DATA/dev.json`: everything a client needs to reach the running system. */
export interface DevJson {
  emulator: { url: string; caFile: string; adminKey?: string };
  tenantId: string;
  authority: string;
  graphBaseUrl: string;
  apps: {
    web: { clientId: string; clientSecret: string; redirectUri: string };
    api: { clientId: string; clientSecret: string; scope: string };
    /** Microsoft Azure CLI (public client) for admin scripts against Graph. */
    cli?: { clientId: string; redirectUri: string };
  };
  /** The tenant's Global Administrator. */
  admin?: { username: string; password: string };
  /** `totpSecret`: the user's authenticator secret (base32), when the user has a second factor. */
  users: Array<{ username: string; password: string; displayName: string; totpSecret?: string }>;
  managedIdentity?: DevJsonManagedIdentity;
  web?: { url: string };
  api?: { url: string };
  storage?: { blobUrl: string };
}

/** One app of a configured tenant, as a client needs it. */
export interface DevJsonApp {
  tenantId: string;
  authority: string;
  clientId: string;
  displayName: string;
  /** The first secret (configured or generated), when the app has one. */
  clientSecret?: string;
  clientSecrets: string[];
  /** The first redirect URI, when the app has one. */
  redirectUri?: string;
  redirectUris: string[];
  /** `{App ID URI}/.default`, when the app exposes an API. */
  scope?: string;
}

/** `DATA/dev.json` of an emulator started with a tenant file (--config). */
export interface ConfiguredDevJson {
  emulator: { url: string; caFile: string; adminKey?: string };
  /** The first tenant of the file. */
  tenantId: string;
  authority: string;
  graphBaseUrl: string;
  tenants: Array<{
    id: string;
    domain: string;
    displayName: string;
    authority: string;
    users: Array<{ username: string; password: string; displayName: string; totpSecret?: string }>;
    apps: Record<string, DevJsonApp>;
  }>;
  /** Apps of every tenant by name (`name@domain` when two tenants use the same name). */
  apps: Record<string, DevJsonApp>;
  /** Users of every tenant (`totpSecret` for those with a second factor). */
  users: Array<{ username: string; password: string; displayName: string; totpSecret?: string }>;
  managedIdentity?: DevJsonManagedIdentity;
}

export function devJsonPath(dataDir: string): string {
  return join(dataDir, 'dev.json');
}

export async function readDevJson(dataDir: string): Promise<DevJson> {
  const path = devJsonPath(dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`${path} not found: start the emulator first (entrakit emulator --data ${dataDir})`);
  }
  return JSON.parse(text) as DevJson;
}

/** Merges keys into dev.json with an atomic rename, so readers never see a half-written file. */
export async function updateDevJson<T extends object = DevJson>(dataDir: string, patch: Partial<T>): Promise<T> {
  const path = devJsonPath(dataDir);
  let current: Partial<T>;
  try {
    current = JSON.parse(await readFile(path, 'utf8')) as Partial<T>;
  } catch {
    current = {};
  }
  const next = { ...current, ...patch } as T;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
  return next;
}
