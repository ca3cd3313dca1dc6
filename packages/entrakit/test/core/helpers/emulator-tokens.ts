/**
 * Real tokens from the real emulator (over HTTPS) for the library's tests: delegated access and ID
 * tokens through its sign-in flow, app-only tokens through client credentials, and tampered or
 * re-signed variants of them for the tokens the emulator refuses to mint.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactSign, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { startTestEmulator } from '../../../../emulator/test/helpers/emulator.ts';
import type { RunningEmulator } from '../../../../emulator/src/server.ts';
import { stableGuid } from '../../../../emulator/src/directory/ids.ts';

export type DemoAlias = 'adele' | 'alex' | 'megan';

export interface EmulatorTokens {
  emulator: RunningEmulator & { cleanup(): Promise<void> };
  tenantId: string;
  /** `https://127.0.0.1:PORT/{tid}/v2.0` */
  issuer: string;
  v1Issuer: string;
  discoveryUrl: string;
  commonDiscoveryUrl: string;
  jwksUri: string;
  webClientId: string;
  apiClientId: string;
  apiAppIdUri: string;
  oid(alias: DemoAlias): string;
  /** A delegated v2 access token for the API (scope user_impersonation) and the ID token of the same sign-in. */
  signIn(alias: DemoAlias, nonce?: string): Promise<{ accessToken: string; idToken: string; nonce: string }>;
  /** An app-only v2 access token for the API (the web app holds the Api.Admin role). */
  appToken(): Promise<string>;
  /** The token with claims and header changed (undefined removes), signed with the emulator's active key or `key`. */
  resign(token: string, claims?: Record<string, unknown>, header?: Record<string, unknown>, key?: CryptoKey): Promise<string>;
  /** A key the emulator never published, to sign tokens with an unknown kid or a bad signature. */
  strangerKey(): Promise<CryptoKey>;
  close(): Promise<void>;
}

/** Starts the emulator; `clock` (if given) drives its token times, so tests can move time. */
export async function startEmulatorTokens(options: { clock?: () => number; keyLeadTimeSec?: number } = {}): Promise<EmulatorTokens> {
  const emulator = await startTestEmulator({
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.keyLeadTimeSec !== undefined ? { keyLeadTimeSec: options.keyLeadTimeSec } : {}),
  });
  const { devJson, url } = emulator;
  const { tenantId, authority } = devJson;
  const webClientId = devJson.apps.web.clientId;
  const apiClientId = devJson.apps.api.clientId;
  const apiAppIdUri = `api://${apiClientId}`;
  const oid = (alias: DemoAlias): string => stableGuid(`user:${alias}`);
  for (const alias of ['adele', 'alex', 'megan'] as const) {
    emulator.deps.directory.consents.grant(tenantId, webClientId, apiClientId, oid(alias), ['user_impersonation']);
  }
  let stranger: Promise<CryptoKey> | undefined;

  async function tokenRequest(form: Record<string, string>): Promise<Record<string, string>> {
    const res = await fetch(`${authority}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: webClientId, client_secret: devJson.apps.web.clientSecret, ...form }),
    });
    const body = (await res.json()) as Record<string, string>;
    if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(body)}`);
    return body;
  }

  async function signIn(alias: DemoAlias, nonce = randomBytes(12).toString('base64url')) {
    const user = devJson.users.find((u) => u.username.startsWith(`${alias}@`));
    if (!user) throw new Error(`no demo user ${alias}`);
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = devJson.apps.web.redirectUri;
    const scope = `openid profile ${apiAppIdUri}/user_impersonation`;
    const authorize = new URL(`${authority}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({
      client_id: webClientId, response_type: 'code', redirect_uri: redirectUri, scope, state: 's', nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    }).toString();
    const cookies = new Map<string, string>();
    const browse = async (target: string, init: RequestInit = {}): Promise<Response> => {
      const headers = new Headers(init.headers);
      if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
      const res = await fetch(target, { ...init, headers, redirect: 'manual' });
      for (const line of res.headers.getSetCookie()) {
        const pair = line.split(';')[0] ?? '';
        cookies.set(pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim());
      }
      return res;
    };
    const html = await (await browse(authorize.toString())).text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error('expected the emulator login form');
    const unescape = (v: string): string => v.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
    const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] ?? '', unescape(m[2] ?? '')]));
    const posted = await browse(new URL(unescape(action), url).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...hidden, username: user.username, password: user.password }),
    });
    const code = new URL(posted.headers.get('location') ?? 'x:/').searchParams.get('code');
    if (!code) throw new Error(`expected a redirect with a code, got HTTP ${posted.status}`);
    const body = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, scope });
    return { accessToken: body['access_token']!, idToken: body['id_token']!, nonce };
  }

  return {
    emulator,
    tenantId,
    issuer: `${url}/${tenantId}/v2.0`,
    v1Issuer: `https://sts.windows.net/${tenantId}/`,
    discoveryUrl: `${authority}/v2.0/.well-known/openid-configuration`,
    commonDiscoveryUrl: `${url}/common/v2.0/.well-known/openid-configuration`,
    jwksUri: `${authority}/discovery/v2.0/keys`,
    webClientId,
    apiClientId,
    apiAppIdUri,
    oid,
    signIn,
    appToken: async () => (await tokenRequest({ grant_type: 'client_credentials', scope: `${apiAppIdUri}/.default` }))['access_token']!,
    async resign(token, claims = {}, header = {}, key) {
      const payload: Record<string, unknown> = { ...decodeJwt(token), ...claims };
      const protectedHeader: Record<string, unknown> = { ...decodeProtectedHeader(token), ...header };
      for (const record of [payload, protectedHeader]) for (const [k, v] of Object.entries(record)) if (v === undefined) delete record[k];
      const signingKey = key ?? (await emulator.deps.keys.activeKey()).privateKey;
      return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader(protectedHeader as { alg: string })
        .sign(signingKey);
    },
    strangerKey: () => (stranger ??= generateKeyPair('RS256').then((pair) => pair.privateKey)),
    close: () => emulator.cleanup(),
  };
}

/** Replaces one segment of a compact JWS (0 header, 1 payload, 2 signature) with this JSON or text. */
export function withSegment(token: string, index: 0 | 1 | 2, value: Record<string, unknown> | string): string {
  const parts = token.split('.');
  parts[index] = typeof value === 'string' ? value : Buffer.from(JSON.stringify(value)).toString('base64url');
  return parts.join('.');
}

/** A fetch that counts requests per URL path, for asserting how often keys were fetched. */
export function countingFetch(): { fetch: typeof globalThis.fetch; count(pathSuffix: string): number; failWith?: number } {
  const hits: string[] = [];
  const counter: { fetch: typeof globalThis.fetch; count(pathSuffix: string): number; failWith?: number } = {
    fetch: (input, init) => {
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      hits.push(path);
      if (counter.failWith !== undefined) return Promise.resolve(new Response('{"error":"down"}', { status: counter.failWith }));
      return globalThis.fetch(input, init);
    },
    count: (pathSuffix) => hits.filter((p) => p.endsWith(pathSuffix)).length,
  };
  return counter;
}

/** A loopback URL nobody listens on (the port was just released). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A server that only counts requests (an attacker's key URL). */
export async function countingServer(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = createServer((_req, res) => {
    count += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits: () => count, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
