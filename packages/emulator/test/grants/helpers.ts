import { createHash, KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Application } from '../../src/directory/types.ts';
import { CODE_TTL_MS, codeKey, type AuthorizationCodeRecord } from '../../src/protocol/authorization-code.ts';
import { v1Issuer, v2Issuer } from '../../src/protocol/tenant.ts';
import { newApplication } from '../../src/directory/new-application.ts';
import { DEMO_TENANT } from '../../src/seed/demo-tenant.ts';
import { addClientSecret, registerApplication } from '../../src/directory/registration.ts';
import { stableGuid } from '../../src/directory/ids.ts';
import type { EmulatorOptions, RunningEmulator } from '../../src/server.ts';
import { startTestEmulator as startEmulatorForTest } from '../helpers/emulator.ts';
import { createSigningCertificate } from '../../src/tls/certificates.ts';

export const TENANT_ID = DEMO_TENANT.id;
export const ADELE_ID = stableGuid('user:adele');
export const ALEX_ID = stableGuid('user:alex');

export interface TokenReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A settable clock for expiry tests; starts at the real time. */
export function manualClock(): { now: () => number; advance(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => (offset += ms) };
}

export interface TestEmulator {
  emulator: RunningEmulator;
  tokenUrl: string;
  v2Issuer: string;
  v1Issuer: string;
  post(form: Record<string, string>, headers?: Record<string, string>, tenant?: string): Promise<TokenReply>;
  /** Verifies a token against the published JWKS over HTTPS (exactly what a resource server does). */
  verify(token: string, options: { issuer: string; audience: string }): Promise<JWTPayload>;
  close(): Promise<void>;
}

export async function startTestEmulator(options: Omit<EmulatorOptions, 'dataDir' | 'port'> = {}): Promise<TestEmulator> {
  const emulator = await startEmulatorForTest(options);
  const jwks = createRemoteJWKSet(new URL(`${emulator.url}/${TENANT_ID}/discovery/v2.0/keys`));
  return {
    emulator,
    tokenUrl: `${emulator.url}/${TENANT_ID}/oauth2/v2.0/token`,
    v2Issuer: v2Issuer(emulator.url, TENANT_ID),
    v1Issuer: v1Issuer(TENANT_ID),
    async post(form, headers = {}, tenant = TENANT_ID) {
      const response = await fetch(`${emulator.url}/${tenant}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
    },
    async verify(token, { issuer, audience }) {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ['RS256'], currentDate: new Date(options.clock?.() ?? Date.now()) });
      return payload;
    },
    close: () => emulator.cleanup(),
  };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Stands in for /authorize: stores a code record exactly as the contract describes. */
export async function issueCode(
  emulator: RunningEmulator,
  overrides: Partial<AuthorizationCodeRecord> = {},
): Promise<{ code: string; verifier: string; record: AuthorizationCodeRecord }> {
  const { verifier, challenge } = pkcePair();
  const record: AuthorizationCodeRecord = {
    clientId: emulator.devJson.apps.web.clientId,
    redirectUri: emulator.devJson.apps.web.redirectUri,
    tenantId: TENANT_ID,
    userId: ADELE_ID,
    scope: 'openid profile offline_access User.Read',
    nonce: 'nonce-123',
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    sid: 'sid-abc',
    authTime: Math.floor(emulator.deps.clock() / 1000),
    amr: ['pwd'],
    issuedAt: emulator.deps.clock(),
    ...overrides,
  };
  const code = randomBytes(32).toString('base64url');
  await emulator.deps.state.set(codeKey(code), JSON.stringify(record), CODE_TTL_MS * 10);
  return { code, verifier, record };
}

export function webCodeForm(emulator: RunningEmulator, code: string, verifier: string): Record<string, string> {
  const web = emulator.devJson.apps.web;
  return { grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret, code, code_verifier: verifier, redirect_uri: web.redirectUri };
}

/** Registers an extra app (and its SP) in the demo tenant; returns it with a fresh secret. */
export function registerTestApp(emulator: RunningEmulator, overrides: Partial<Application> = {}): { app: Application; secret: string } {
  const appId = webcrypto.randomUUID();
  const app = newApplication({
    appId,
    displayName: `test app ${appId.slice(0, 8)}`,
    web: { redirectUris: ['http://localhost:7000/callback'], logoutUrl: null },
    ...overrides,
  });
  const directory = emulator.deps.directory;
  registerApplication(directory, TENANT_ID, app);
  const secret = addClientSecret(directory, app, 'test', emulator.deps.clock());
  return { app, secret };
}

export function decodeSegment(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function errorCode(reply: TokenReply): number | undefined {
  return (reply.body['error_codes'] as number[] | undefined)?.[0];
}

/** A self-signed client certificate (DER), its key pair, the PKCS#8 PEM, and the app keyCredential for it. */
export async function createClientCertificate(): Promise<{ keys: CryptoKeyPair; der: Buffer; privateKeyPem: string; keyCredential: Application['keyCredentials'][number] }> {
  const keys = (await webcrypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const der = Buffer.from(await createSigningCertificate(keys, new Date()));
  const privateKeyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyCredential = {
    keyId: webcrypto.randomUUID(),
    type: 'AsymmetricX509Cert' as const,
    usage: 'Verify' as const,
    key: der.toString('base64'),
    customKeyIdentifier: createHash('sha1').update(der).digest('hex').toUpperCase(),
    displayName: 'test certificate',
  };
  return { keys, der, privateKeyPem, keyCredential };
}
