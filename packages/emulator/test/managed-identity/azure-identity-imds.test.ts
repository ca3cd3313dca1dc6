/**
 * Unmodified @azure/identity ManagedIdentityCredential against the emulator's IMDS endpoint:
 * AZURE_POD_IDENTITY_AUTHORITY_HOST points the credential (and MSAL) at the emulator instead of
 * http://169.254.169.254. Its own process: MSAL picks the managed identity source once per process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManagedIdentityCredential } from '@azure/identity';
import { DEMO_MANAGED_IDENTITIES, API_APP_ID } from '../../src/seed/demo-tenant.ts';
import { startInteropEnv, type InteropEnv } from '../interop/interop-env.ts';

describe('ManagedIdentityCredential (IMDS protocol)', { timeout: 60_000 }, () => {
  let env: InteropEnv;
  before(async () => {
    env = await startInteropEnv();
    delete process.env['IDENTITY_ENDPOINT'];
    delete process.env['IDENTITY_HEADER'];
    process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'] = env.emulator.devJson.managedIdentity!.imdsEndpoint;
  });
  after(async () => {
    delete process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'];
    await env.close();
  });

  it('system-assigned and user-assigned identities through IMDS', async () => {
    const system = await new ManagedIdentityCredential().getToken('https://graph.microsoft.com/.default');
    const graph = await env.verifyGraph(system.token, 'https://graph.microsoft.com');
    assert.equal(graph['oid'], DEMO_MANAGED_IDENTITIES.system.principalId);
    assert.equal(graph['idtyp'], 'app');
    assert.equal(graph['xms_mirid'], DEMO_MANAGED_IDENTITIES.system.resourceId);

    const user = await new ManagedIdentityCredential({ clientId: DEMO_MANAGED_IDENTITIES.user.clientId }).getToken(`api://${API_APP_ID}/.default`);
    const api = await env.verify(user.token, { issuer: env.v2Issuer, audience: API_APP_ID });
    assert.equal(api['oid'], DEMO_MANAGED_IDENTITIES.user.principalId);
    assert.deepEqual(api['roles'], ['Api.Admin']);

    const byResourceId = await new ManagedIdentityCredential({ resourceId: DEMO_MANAGED_IDENTITIES.user.resourceId }).getToken(`api://${API_APP_ID}/.default`);
    assert.equal((await env.verify(byResourceId.token, { issuer: env.v2Issuer, audience: API_APP_ID }))['oid'], DEMO_MANAGED_IDENTITIES.user.principalId);
  });
});
