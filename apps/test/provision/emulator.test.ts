/**
 * `entrakit provision` against the real emulator: the administrator signs in as the Azure CLI app
 * (authorize + login form + MSAL code redemption), the manifest is applied over Graph REST, and a
 * second run changes nothing. The provisioned app then gets a real client-credentials token with
 * the secret written to the env file, carrying the app role it was granted.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { trustCaCertificate } from '../../../packages/entrakit/src/core/trust-ca.ts';
import { startEmulator } from '../../../packages/emulator/src/server.ts';
import type { RunningEmulator } from '../../../packages/emulator/src/server.ts';
import { readEnvFile } from '../../provision/env-file.ts';
import { createGraphClient, emulatorSignInFrom, emulatorTokenSource, parseManifest, provision } from '../../provision/index.ts';
import type { ProvisionResult, TokenSource } from '../../provision/index.ts';


let emulator: RunningEmulator;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'entrakit-provision-'));
  emulator = await startEmulator({ dataDir: join(dir, 'emulator'), port: 0 });
  trustCaCertificate(emulator.caPem);
});
after(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

async function adminTokens(): Promise<TokenSource> {
  return emulatorTokenSource(emulatorSignInFrom(emulator.devJson as unknown as Record<string, unknown>, 'dev.json'));
}

function manifestText(extraRedirect?: string): string {
  return JSON.stringify({
    apps: [
      {
        name: 'provision test api',
        identifierUri: 'api://{appId}',
        api: { requestedAccessTokenVersion: 2, scopes: [{ value: 'Notes.Read', adminConsentDisplayName: 'Read notes', adminConsentDescription: 'Reads notes as the user.' }] },
        appRoles: [
          { value: 'Notes.Admin', displayName: 'Notes admins', description: 'Administers notes.', allowedMemberTypes: ['User', 'Application'] },
        ],
        requiredResourceAccess: [{ resource: 'Microsoft Graph', scopes: ['User.Read'], adminConsent: true }],
        owners: ['megan@entrakitdemo.onmicrosoft.com'],
        roleAssignments: [{ role: 'Notes.Admin', user: 'alex@entrakitdemo.onmicrosoft.com' }],
      },
      {
        name: 'provision test web',
        web: { redirectUris: ['http://localhost:7000/auth/callback', ...(extraRedirect ? [extraRedirect] : [])], logoutUrl: 'http://localhost:7000/auth/frontchannel-logout' },
        requiredResourceAccess: [
          { resource: 'Microsoft Graph', scopes: ['User.Read', 'openid', 'profile'], roles: ['GroupMember.Read.All'], adminConsent: true },
          { resource: 'provision test api', scopes: ['Notes.Read'], roles: ['Notes.Admin'], adminConsent: true },
        ],
        owners: ['megan@entrakitdemo.onmicrosoft.com'],
        secret: { displayName: 'ci', expiresInDays: 30, envVar: 'TEST_WEB_SECRET' },
        clientIdEnvVar: 'TEST_WEB_CLIENT_ID',
      },
    ],
  });
}

async function run(text: string, dryRun: boolean, tokens: TokenSource): Promise<{ result: ProvisionResult; output: string }> {
  const lines: string[] = [];
  const graph = createGraphClient({ baseUrl: emulator.devJson.graphBaseUrl, tokens });
  const result = await provision({ manifest: parseManifest(text), graph, envFile: join(dir, 'out', '.env'), dryRun, print: (line) => lines.push(line) });
  return { result, output: lines.join('\n') };
}

describe('provision against the emulator', () => {
  it('signs the administrator in as the Azure CLI app and gets a Graph token', async () => {
    const tokens = await adminTokens();
    const claims = decodeJwt(await tokens.token());
    assert.equal(claims['aud'], 'https://graph.microsoft.com');
    assert.equal(claims['appid'], '04b07795-8ddb-461a-bbee-02f9e1bf7b46');
    assert.equal(claims['upn'], (emulator.devJson as unknown as { admin: { username: string } }).admin.username);
    assert.equal(await tokens.token(), await tokens.token());
  });

  it('dry run plans every step and writes nothing; the run applies it; a second run says "no changes" and writes nothing', async () => {
    const tokens = await adminTokens();
    const { directory } = emulator.deps;
    const tenantId = emulator.devJson.tenantId;
    const findApp = (name: string) => directory.objects.list('application', tenantId).find((a) => a.displayName === name);

    const dry = await run(manifestText(), true, tokens);
    assert.equal(dry.result.writes, 0);
    assert.match(dry.output, /^app "provision test api"\n {2}\+ create application\n {6}signInAudience: "AzureADMyOrg"/);
    assert.match(dry.output, /\+ add admin consent to Microsoft Graph: User\.Read/);
    assert.match(dry.output, /\+ add application permission provision test api: Notes\.Admin/);
    assert.match(dry.output, /dry run: \d+ changes planned, nothing written$/);
    assert.equal(findApp('provision test api'), undefined);

    const applied = await run(manifestText(), false, tokens);
    assert.ok(applied.result.writes > 0);
    const api = findApp('provision test api');
    const web = findApp('provision test web');
    assert.ok(api && web);
    assert.deepEqual(api.identifierUris, [`api://${api.appId}`]);
    assert.deepEqual(api.api.oauth2PermissionScopes.map((s) => s.value), ['Notes.Read']);
    assert.equal(api.api.requestedAccessTokenVersion, 2);
    assert.deepEqual(web.web.redirectUris, ['http://localhost:7000/auth/callback']);

    // The secret went to the env file (0600), never to the output.
    const envPath = join(dir, 'out', '.env');
    assert.equal((await stat(envPath)).mode & 0o777, 0o600);
    const env = await readEnvFile(envPath);
    const secret = env.get('TEST_WEB_SECRET') ?? '';
    assert.equal(env.get('TEST_WEB_CLIENT_ID'), web.appId);
    assert.ok(secret.length >= 32);
    assert.ok(!applied.output.includes(secret) && !dry.output.includes(secret));
    assert.equal(await readFile(envPath, 'utf8'), `TEST_WEB_SECRET=${secret}\nTEST_WEB_CLIENT_ID=${web.appId}\n`);

    // The provisioned client signs in with that secret; its app-only token carries the granted role.
    const msal = new ConfidentialClientApplication({
      auth: { clientId: web.appId, clientSecret: secret, authority: emulator.devJson.authority, knownAuthorities: [new URL(emulator.url).host] },
    });
    const result = await msal.acquireTokenByClientCredential({ scopes: [`api://${api.appId}/.default`] });
    assert.deepEqual(decodeJwt(result!.accessToken)['roles'], ['Notes.Admin']);

    const again = await run(manifestText(), false, tokens);
    assert.equal(again.result.writes, 0);
    assert.equal(again.result.changes, 0);
    assert.match(again.output, /no changes$/);
    assert.match(again.output, /= unchanged application\n/);
    assert.equal((await readEnvFile(envPath)).get('TEST_WEB_SECRET'), secret);

    const changed = await run(manifestText('http://localhost:7000/'), true, tokens);
    assert.equal(changed.result.writes, 0);
    assert.match(changed.output, /app "provision test web"\n {2}~ update application\n {6}web\.redirectUris: \+ "http:\/\/localhost:7000\/"\n/);
    assert.match(changed.output, /dry run: 1 change planned, nothing written$/);
  });

  it('applies provision/demo.json to the seeded demo tenant, then finds nothing to change', async () => {
    const tokens = await adminTokens();
    const text = await readFile(join(import.meta.dirname, '..', '..', '..', 'provision', 'demo.json'), 'utf8');
    await run(text, false, tokens);
    const again = await run(text, false, tokens);
    assert.equal(again.result.writes, 0);
    assert.match(again.output, /no changes$/);
  });
});
