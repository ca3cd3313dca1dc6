// The peer identity provider: node-oidc-provider with a password login page (scrypt, the same
// cost as the emulator's), code flow with PKCE, served over HTTPS with the emulator's certificate.
import { generateKeyPairSync, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { serveFromParent } from '../lib/server-process.ts';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number }) => Promise<Buffer>;
/** The emulator's password verifier parameters (packages/emulator/src/directory/credentials.ts). */
const SCRYPT_N = 4096;

export interface PeerUser {
  username: string;
  password: string;
  displayName: string;
  /** Used as the account id (`sub`). */
  oid: string;
}

export interface PeerProviderInput {
  tls: { certPem: string; keyPem: string };
  users: PeerUser[];
  /** Where the relying party will listen, for its registered redirect URI. */
  rpUrl: string;
}

export interface PeerProviderInfo {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

serveFromParent<PeerProviderInput, PeerProviderInfo>(async ({ tls, users, rpUrl }) => {
  const accounts = new Map<string, { id: string; displayName: string; username: string; salt: Buffer; hash: Buffer }>();
  for (const u of users) {
    const salt = randomBytes(16);
    accounts.set(u.username.toLowerCase(), { id: u.oid, displayName: u.displayName, username: u.username, salt, hash: await scrypt(u.password, salt, 32, { N: SCRYPT_N }) });
  }
  const byId = new Map([...accounts.values()].map((a) => [a.id, a]));

  let provider: Provider | undefined = undefined;
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => void route(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'peer-web';
  const clientSecret = randomBytes(24).toString('base64url');
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

  provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [`${rpUrl}/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [{ ...jwk, kid: 'peer-key', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'] },
    findAccount: (_ctx, id) => {
      const account = byId.get(id);
      return account && { accountId: id, claims: () => ({ sub: id, name: account.displayName, preferred_username: account.username, email: account.username }) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    // The name in the ID token, as Entra's has it, so the app's home page needs no userinfo call.
    conformIdTokenClaims: false,
    // A first-party app: the grant is given at login, as the emulator's demo tenant has admin consent.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const existing = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(oidc.client?.clientId ?? '');
      if (existing) return oidc.provider.Grant.find(existing);
      if (!oidc.session?.accountId || !oidc.client) return undefined;
      const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url ?? '');
    if (!match || !provider) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== match[1]) throw new Error('interaction mismatch');
      if (req.method === 'GET' && !match[2]) return void loginPage(res, details.uid);
      if (req.method !== 'POST' || !match[2]) return void res.writeHead(405).end();
      const form = new URLSearchParams(await readBody(req));
      const account = accounts.get((form.get('username') ?? '').toLowerCase());
      const hash = await scrypt(form.get('password') ?? '', account?.salt ?? Buffer.alloc(16), 32, { N: SCRYPT_N });
      if (!account || !timingSafeEqual(hash, account.hash)) return void loginPage(res, details.uid, 'Wrong username or password.');
      await provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(error instanceof Error ? error.message : 'bad interaction');
    }
  }

  return {
    info: { issuer, clientId, clientSecret },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
});

function loginPage(res: ServerResponse, uid: string, error?: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><title>Sign in</title>${error ? `<p>${error}</p>` : ''}<form method="post" action="/interaction/${uid}/login"><input name="username" autocomplete="username"><input type="password" name="password"><button>Sign in</button></form>`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 16_384) throw new Error('form too large');
  }
  return body;
}
