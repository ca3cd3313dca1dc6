/**
 * A real emulator over HTTPS for Graph tests, and Graph tokens minted with the emulator's own
 * signing key, shaped like Entra's v1 Graph tokens, so tests choose any scp/roles/claims.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, type JWTPayload } from 'jose';
import { trustCaCertificate } from '../../../../entrakit/src/core/trust-ca.ts';
import { startEmulator, type RunningEmulator } from '../../../src/server.ts';
import { DEMO_TENANT, WEB_APP_ID } from '../../../src/seed/demo-tenant.ts';

export const TENANT_ID = DEMO_TENANT.id;
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';

export interface GraphTestEnv {
  emulator: RunningEmulator;
  /** Object id of a demo user by alias (adele, alex, megan). */
  userId(alias: string): string;
  groupId(displayName: string): string;
  /** Object id of the web app's service principal (the `oid` of its app-only tokens). */
  webServicePrincipalId: string;
  delegatedToken(options: { alias?: string; scp: string; clientId?: string; claims?: JWTPayload; header?: Record<string, unknown> }): Promise<string>;
  appToken(options: { roles: string[]; clientId?: string; claims?: JWTPayload }): Promise<string>;
  /**
   * Signs any claims with the emulator's active key and Graph's header: Entra signs over the
   * SHA-256 of the header `nonce`, then sends the raw nonce (pass `nonce: undefined` to omit it).
   */
  sign(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  get(path: string, token?: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, token: string | undefined, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

export async function startGraphTestEnv(): Promise<GraphTestEnv> {
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-graph-'));
  const emulator = await startEmulator({ dataDir, port: 0 });
  trustCaCertificate(emulator.caPem);
  const { directory } = emulator.deps;
  const nowSec = () => Math.floor(emulator.deps.clock() / 1000);

  function userId(alias: string): string {
    const user = directory.findUserByUsername(TENANT_ID, `${alias}@${DEMO_TENANT.domain}`);
    if (!user) throw new Error(`no demo user ${alias}`);
    return user.id;
  }
  function groupId(displayName: string): string {
    const group = directory.objects.list('group', TENANT_ID).find((g) => g.displayName === displayName);
    if (!group) throw new Error(`no demo group ${displayName}`);
    return group.id;
  }
  const webSp = directory.findServicePrincipalByAppId(TENANT_ID, WEB_APP_ID);
  if (!webSp) throw new Error('web app service principal missing');

  async function sign(claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
    const { kid, privateKey } = await emulator.deps.keys.activeKey();
    const nonce = randomBytes(32).toString('base64url');
    const fields = { typ: 'JWT', nonce, alg: 'RS256', x5t: kid, kid, ...header };
    if (typeof fields.nonce !== 'string') return new SignJWT(claims).setProtectedHeader(fields).sign(privateKey);
    const hashed = createHash('sha256').update(fields.nonce).digest('base64url');
    const signed = await new SignJWT(claims).setProtectedHeader({ ...fields, nonce: hashed }).sign(privateKey);
    const [, payload, signature] = signed.split('.');
    return `${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${payload}.${signature}`;
  }

  function baseClaims(clientId: string): JWTPayload {
    const now = nowSec();
    return { aud: GRAPH_RESOURCE, iss: `https://sts.windows.net/${TENANT_ID}/`, iat: now, nbf: now, exp: now + 3600, tid: TENANT_ID, appid: clientId, appidacr: '1', ver: '1.0', uti: randomUUID() };
  }

  const send = (path: string, init: RequestInit) => fetch(`${emulator.url}${path}`, init);

  return {
    emulator,
    userId,
    groupId,
    webServicePrincipalId: webSp.id,
    async delegatedToken({ alias = 'adele', scp, clientId = WEB_APP_ID, claims = {}, header = {} }) {
      const oid = userId(alias);
      const user = directory.objects.get('user', oid)!.value;
      return sign({ ...baseClaims(clientId), oid, sub: `sub-${oid}`, scp, name: user.displayName, upn: user.userPrincipalName, unique_name: user.userPrincipalName, idtyp: 'user', ...claims }, header);
    },
    async appToken({ roles, clientId = WEB_APP_ID, claims = {} }) {
      return sign({ ...baseClaims(clientId), oid: webSp.id, sub: webSp.id, roles, idtyp: 'app', ...claims });
    },
    sign,
    get: (path, token, headers = {}) => send(path, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } }),
    post: (path, token, body) =>
      send(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async close() {
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Asserts a Graph error body and returns it; `innerError` must carry Graph's three fields. */
export async function graphError(response: Response): Promise<{ code: string; message: string; innerError: Record<string, string> }> {
  const body = (await response.json()) as { error: { code: string; message: string; innerError: Record<string, string> } };
  const inner = body.error.innerError;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(inner['date'] ?? '') || !inner['request-id'] || !inner['client-request-id']) {
    throw new Error(`malformed innerError: ${JSON.stringify(inner)}`);
  }
  return body.error;
}
