import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { decodeJwt } from 'jose';
import { trustCaCertificate } from 'entrakit';
import type { ConfiguredDevJson } from '../../src/dev-json.ts';
import { CookieBrowser } from '../device-code/browser.ts';

const CONFIG = {
  tenants: [
    {
      domain: 'ci.example',
      displayName: 'CI tenant',
      users: [{ userPrincipalName: 'tester@ci.example', password: 'Tester-password-1', displayName: 'Test User' }],
      apps: [
        {
          name: 'my-web',
          displayName: 'My web app',
          redirectUris: ['http://localhost:3000/auth/callback'],
          secrets: [{ value: 'my-web-secret-0123456789abcdef' }],
          requiredPermissions: [{ resource: 'Microsoft Graph', scopes: ['User.Read', 'openid', 'profile', 'offline_access'], adminConsent: true }],
        },
      ],
    },
  ],
};

/**
 * What a project outside this repository does in its CI: from a scratch folder, start the emulator
 * with `bin` and its own tenant file, sign a user into its own app (code + PKCE over HTTP with a
 * cookie jar), exchange the code, and stop the emulator with Ctrl-C (exit 0).
 */
export async function signInWithOwnConfig(bin: string): Promise<void> {
    const scratch = await mkdtemp(join(tmpdir(), 'entrakit-ci-'));
    await writeFile(join(scratch, 'tenants.json'), JSON.stringify(CONFIG, null, 2));
    const child = spawn(process.execPath, [bin, '--config', 'tenants.json', '--data', 'data', '--port', '0'], {
      cwd: scratch,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: scratch },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const found = /listening on (https:\/\/localhost:\d+)/.exec(line)?.[1];
          if (found) resolve(found);
        });
        void exited.then((code) => reject(new Error(`entrakit-emulator exited with ${code} before listening:\n${stderr}`)));
      });
      const devJson = JSON.parse(await readFile(join(scratch, 'data', 'dev.json'), 'utf8')) as ConfiguredDevJson;
      trustCaCertificate(await readFile(devJson.emulator.caFile, 'utf8'));
      assert.equal(devJson.emulator.url, url);
      const app = devJson.apps['my-web']!;
      const user = devJson.users[0]!;
      assert.equal(app.clientSecret, 'my-web-secret-0123456789abcdef');

      const verifier = randomBytes(32).toString('base64url');
      const authorize = new URL(`${app.authority}/oauth2/v2.0/authorize`);
      authorize.search = new URLSearchParams({
        client_id: app.clientId,
        response_type: 'code',
        redirect_uri: app.redirectUri!,
        scope: 'openid profile offline_access User.Read',
        state: 'state-1',
        nonce: 'nonce-1',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      const browser = new CookieBrowser(url);
      const login = await browser.get(authorize.toString());
      assert.equal(login.status, 200);
      assert.ok(login.has('>Sign in</button>'));
      const answer = await browser.submit(login, { username: user.username, password: user.password });
      assert.equal(answer.status, 302, answer.text().slice(0, 300));
      const callback = new URL(answer.location!);
      assert.equal(`${callback.origin}${callback.pathname}`, app.redirectUri);
      assert.equal(callback.searchParams.get('state'), 'state-1');

      const response = await fetch(`${app.authority}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: app.clientId,
          client_secret: app.clientSecret!,
          code: callback.searchParams.get('code')!,
          redirect_uri: app.redirectUri!,
          code_verifier: verifier,
        }),
      });
      assert.equal(response.status, 200);
      const tokens = (await response.json()) as { id_token: string; access_token: string; refresh_token: string };
      const idToken = decodeJwt(tokens.id_token);
      assert.equal(idToken['preferred_username'], 'tester@ci.example');
      assert.equal(idToken['aud'], app.clientId);
      assert.equal(idToken['iss'], `${app.authority}/v2.0`);
      assert.equal(idToken['nonce'], 'nonce-1');
      assert.equal(typeof tokens.refresh_token, 'string');
    } finally {
      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
      await rm(scratch, { recursive: true, force: true });
    }
}
