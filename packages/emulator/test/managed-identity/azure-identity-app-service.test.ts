/**
 * Unmodified @azure/identity ManagedIdentityCredential against the emulator's App Service
 * endpoint: only IDENTITY_ENDPOINT and IDENTITY_HEADER are set, as App Service sets them (here
 * an https URL whose CA this process trusts). One process per protocol: MSAL picks the managed
 * identity source once per process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ManagedIdentityCredential } from '@azure/identity';
import { DEMO_MANAGED_IDENTITIES, API_APP_ID } from '../../src/seed/demo-tenant.ts';
import { startInteropEnv, type InteropEnv } from '../interop/interop-env.ts';

describe('ManagedIdentityCredential (App Service protocol)', { timeout: 60_000 }, () => {
  let env: InteropEnv;
  before(async () => {
    env = await startInteropEnv();
    const mi = env.emulator.devJson.managedIdentity!;
    process.env['IDENTITY_ENDPOINT'] = mi.identityEndpoint;
    process.env['IDENTITY_HEADER'] = mi.identityHeader;
  });
  after(async () => {
    delete process.env['IDENTITY_ENDPOINT'];
    delete process.env['IDENTITY_HEADER'];
    await env.close();
  });

  it('system-assigned: a Graph token that lists users', async () => {
    const credential = new ManagedIdentityCredential();
    const token = await credential.getToken('https://graph.microsoft.com/.default');
    const claims = await env.verifyGraph(token.token, 'https://graph.microsoft.com');
    assert.equal(claims['idtyp'], 'app');
    assert.equal(claims['oid'], DEMO_MANAGED_IDENTITIES.system.principalId);
    assert.equal(claims['xms_mirid'], DEMO_MANAGED_IDENTITIES.system.resourceId);
    assert.deepEqual(claims['roles'], ['User.Read.All']);
    const drift = Math.abs(token.expiresOnTimestamp - (claims['exp'] as number) * 1000);
    assert.ok(drift <= 2000, `expiresOnTimestamp differs from exp by ${drift} ms`);
    const users = await fetch(`${env.emulator.devJson.graphBaseUrl}/users?$select=id&$top=1`, { headers: { authorization: `Bearer ${token.token}` } });
    assert.equal(users.status, 200);
  });

  it('user-assigned by clientId: a token for the demo API with its app role', async () => {
    const credential = new ManagedIdentityCredential({ clientId: env.emulator.devJson.managedIdentity!.clientId! });
    const token = await credential.getToken(`api://${API_APP_ID}/.default`);
    const claims = await env.verify(token.token, { issuer: env.v2Issuer, audience: API_APP_ID });
    assert.equal(claims['azp'], DEMO_MANAGED_IDENTITIES.user.clientId);
    assert.equal(claims['idtyp'], 'app');
    assert.deepEqual(claims['roles'], ['Api.Admin']);
    assert.equal(claims['xms_mirid'], DEMO_MANAGED_IDENTITIES.user.resourceId);
  });

  it('a separate Node process trusting the CA through NODE_EXTRA_CA_CERTS, as an app would be run', async () => {
    const mi = env.emulator.devJson.managedIdentity!;
    const script = "import { ManagedIdentityCredential } from '@azure/identity'; const t = await new ManagedIdentityCredential().getToken('https://graph.microsoft.com/.default'); console.log(t.token);";
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', IDENTITY_ENDPOINT: mi.identityEndpoint, IDENTITY_HEADER: mi.identityHeader, NODE_EXTRA_CA_CERTS: env.emulator.caFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, stderr.slice(-2000));
    const claims = await env.verifyGraph(stdout.trim(), 'https://graph.microsoft.com');
    assert.equal(claims['oid'], DEMO_MANAGED_IDENTITIES.system.principalId);
  });

  it('an unknown user-assigned identity fails with the endpoint\'s message', async () => {
    const credential = new ManagedIdentityCredential({ clientId: '11111111-2222-3333-4444-555555555555' });
    await assert.rejects(credential.getToken('https://graph.microsoft.com/.default'), /Identity not found/);
  });
});
