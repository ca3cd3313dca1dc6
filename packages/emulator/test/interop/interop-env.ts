import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { trustCaCertificate } from '../../../entrakit/src/core/trust-ca.ts';
import { graphTokenSigningForm } from '../../src/tokens/sign.ts';
import { startEmulator, type RunningEmulator } from '../../src/server.ts';
import { decodeHtml } from '../helpers/html.ts';

export type DemoUser = 'adele' | 'alex' | 'megan';

export interface InteropEnv {
  emulator: RunningEmulator;
  tenantId: string;
  /** The tenant authority, exactly what an app configures: `https://localhost:{port}/{tenantId}`. */
  authority: string;
  v2Issuer: string;
  v1Issuer: string;
  user(alias: DemoUser): { username: string; password: string };
  /** Verifies a token against the JWKS the emulator publishes over HTTPS, as a resource server does. */
  verify(token: string, expected: { issuer: string; audience: string }): Promise<JWTPayload>;
  /** Graph tokens carry a header nonce (Entra's quirk); verification uses their signing form. */
  verifyGraph(token: string, audience?: string): Promise<JWTPayload>;
  /** GET the authorize URL, post the login form with the user's password, return the redirect. */
  signIn(authorizeUrl: string | URL, alias: DemoUser): Promise<URL>;
  close(): Promise<void>;
}

/** The real emulator over HTTPS with a fresh data folder; this process trusts its local CA (no TLS bypass). */
export async function startInteropEnv(): Promise<InteropEnv> {
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-interop-'));
  const emulator = await startEmulator({ dataDir, port: 0, writeDevJson: false });
  trustCaCertificate(emulator.caPem);
  const { tenantId, authority } = emulator.devJson;
  const jwks = createRemoteJWKSet(new URL(`${authority}/discovery/v2.0/keys`));
  const v1Issuer = `https://sts.windows.net/${tenantId}/`;
  const user: InteropEnv['user'] = (alias) => {
    const found = emulator.devJson.users.find((u) => u.username.startsWith(`${alias}@`));
    if (!found) throw new Error(`no demo user ${alias}`);
    return { username: found.username, password: found.password };
  };
  const verify: InteropEnv['verify'] = async (token, { issuer, audience }) =>
    (await jwtVerify(token, jwks, { issuer, audience, algorithms: ['RS256'] })).payload;
  return {
    emulator,
    tenantId,
    authority,
    v2Issuer: `${authority}/v2.0`,
    v1Issuer,
    user,
    verify,
    verifyGraph: (token, audience = '00000003-0000-0000-c000-000000000000') => verify(graphTokenSigningForm(token), { issuer: v1Issuer, audience }),
    async signIn(authorizeUrl, alias) {
      const page = await fetch(authorizeUrl, { redirect: 'manual' });
      const html = await page.text();
      if (page.status !== 200 || !html.includes('>Sign in</button>')) throw new Error(`expected the login form, got ${page.status}`);
      const { username, password } = user(alias);
      const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const posted = await fetch(new URL(decodeHtml(match(html, /<form method="post" action="([^"]+)"/)), emulator.url), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ tx: hiddenField(html, 'tx'), csrf: hiddenField(html, 'csrf'), username, password }),
      });
      const location = posted.headers.get('location');
      if (posted.status !== 302 || !location) throw new Error(`expected a redirect to the app after sign-in, got ${posted.status}`);
      return new URL(location);
    },
    async close() {
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function match(html: string, pattern: RegExp): string {
  const found = pattern.exec(html)?.[1];
  if (found === undefined) throw new Error(`page does not match ${pattern}`);
  return found;
}

function hiddenField(html: string, name: string): string {
  return decodeHtml(match(html, new RegExp(`name="${name}" value="([^"]*)"`)));
}

