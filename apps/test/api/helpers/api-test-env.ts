import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { trustCaCertificate } from '../../../../packages/entrakit/src/core/trust-ca.ts';
import { startEmulator } from '../../../../packages/emulator/src/server.ts';
import type { RunningEmulator } from '../../../../packages/emulator/src/server.ts';
import { stableGuid } from '../../../../packages/emulator/src/directory/ids.ts';

export type DemoAlias = 'adele' | 'alex' | 'megan';

export interface ApiTestEnv {
  emulator: RunningEmulator;
  dataDir: string;
  tenantId: string;
  apiClientId: string;
  webClientId: string;
  /** `https://localhost:PORT/{tid}/v2.0` */
  issuer: string;
  oid(alias: DemoAlias): string;
  user(alias: DemoAlias): { username: string; password: string; displayName: string };
  /** Signs with the emulator's active key: a "validly signed" token with any claims. */
  sign(claims: JWTPayload & Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  /** Claims of a v2 delegated access token for the API, as the emulator would issue it. */
  userClaims(alias: DemoAlias, overrides?: Record<string, unknown>): JWTPayload & Record<string, unknown>;
  stop(): Promise<void>;
}

/** The real emulator over HTTPS (writing DATA/dev.json), trusted by this process. */
export async function startApiTestEnv(): Promise<ApiTestEnv> {
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-api-'));
  const emulator = await startEmulator({ dataDir, port: 0 });
  trustCaCertificate(emulator.caPem);
  const { tenantId } = emulator.devJson;
  const apiClientId = emulator.devJson.apps.api.clientId;
  const webClientId = emulator.devJson.apps.web.clientId;
  const issuer = `${emulator.url}/${tenantId}/v2.0`;
  const user = (alias: DemoAlias) => {
    const found = emulator.devJson.users.find((u) => u.username.startsWith(`${alias}@`));
    if (!found) throw new Error(`no demo user ${alias}`);
    return found;
  };
  const oid = (alias: DemoAlias) => stableGuid(`user:${alias}`);
  return {
    emulator,
    dataDir,
    tenantId,
    apiClientId,
    webClientId,
    issuer,
    oid,
    user,
    async sign(claims, header = {}) {
      const key = await emulator.deps.keys.activeKey();
      return new SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: key.kid, ...header }).sign(key.privateKey);
    },
    userClaims(alias, overrides = {}) {
      const now = Math.floor(Date.now() / 1000);
      return {
        iss: issuer,
        aud: apiClientId,
        iat: now,
        nbf: now,
        exp: now + 3600,
        azp: webClientId,
        azpacr: '1',
        name: user(alias).displayName,
        oid: oid(alias),
        preferred_username: user(alias).username,
        scp: 'user_impersonation',
        sub: `sub-${alias}`,
        tid: tenantId,
        uti: randomUUID(),
        ver: '2.0',
        ...overrides,
      };
    },
    async stop() {
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fetch that counts requests per URL path, for asserting how often keys were fetched. */
export function countingFetch(): { fetch: typeof globalThis.fetch; count(pathSuffix: string): number } {
  const hits: string[] = [];
  return {
    fetch: (input, init) => {
      hits.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
      return globalThis.fetch(input, init);
    },
    count: (pathSuffix) => hits.filter((path) => path.endsWith(pathSuffix)).length,
  };
}

/** What a client sees of an answer: status, headers (without the per-connection and Date ones) and body. */
export interface AnswerSnapshot {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export async function answerSnapshot(res: Response): Promise<AnswerSnapshot> {
  const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== 'date' && name !== 'keep-alive' && name !== 'connection'));
  return { status: res.status, headers, body: await res.text() };
}
