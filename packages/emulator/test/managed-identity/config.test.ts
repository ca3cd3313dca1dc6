import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { EmulatorConfigError } from '../../src/config/load-config.ts';
import type { EmulatorConfigInput } from '../../src/config/schema.ts';
import { startEmulator } from '../../src/server.ts';
import { trustCaCertificate } from '../../../entrakit/src/core/trust-ca.ts';

const CONFIG: EmulatorConfigInput = {
  tenants: [
    {
      domain: 'mi.test',
      apps: [{ name: 'orders-api', displayName: 'Orders API', appRoles: [{ value: 'Orders.Write', allowedMemberTypes: ['Application'] }] }],
      managedIdentities: [
        { name: 'orders-vm', type: 'SystemAssigned', roles: [{ resource: 'Microsoft Graph', roles: ['User.Read.All'] }] },
        { name: 'orders-worker', type: 'UserAssigned', clientId: '3f8a1c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b', roles: [{ resource: 'orders-api', roles: ['Orders.Write'] }] },
      ],
    },
  ],
};

describe('managed identities in a tenant file', () => {
  it('become service principals of type ManagedIdentity with their app roles; dev.json lists them', async () => {
    const emulator = await startEmulator({ config: CONFIG, port: 0, writeDevJson: false });
    try {
      trustCaCertificate(emulator.caPem);
      const mi = emulator.devJson.managedIdentity!;
      assert.equal(mi.clientId, '3f8a1c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b');
      assert.deepEqual(mi.identities.map((i) => [i.name, i.type]), [['orders-vm', 'SystemAssigned'], ['orders-worker', 'UserAssigned']]);
      const worker = mi.identities[1]!;
      assert.match(worker.resourceId, /^\/subscriptions\/[0-9a-f-]{36}\/resourcegroups\/mi\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/orders-worker$/);
      const api = emulator.devJson.apps['orders-api']!;
      const reply = await fetch(`${mi.identityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent(api.scope!.replace(/\/\.default$/, ''))}&client_id=${worker.clientId}`, { headers: { 'X-IDENTITY-HEADER': mi.identityHeader } });
      assert.equal(reply.status, 200);
      const claims = decodeJwt(((await reply.json()) as { access_token: string }).access_token);
      assert.deepEqual(claims['roles'], ['Orders.Write']);
      assert.equal(claims['oid'], worker.principalId);
      assert.equal(claims['xms_mirid'], worker.resourceId);
      assert.equal(claims['tid'], api.tenantId);
    } finally {
      await emulator.close();
    }
  });

  it('refuses a second system-assigned identity and roles the resource does not define', async () => {
    const bad: EmulatorConfigInput = {
      tenants: [
        {
          domain: 'bad-mi.test',
          managedIdentities: [
            { name: 'a', type: 'SystemAssigned', roles: [{ resource: 'Microsoft Graph', roles: ['No.Such.Role'] }] },
            { name: 'b', type: 'SystemAssigned' },
          ],
        },
      ],
    };
    await assert.rejects(startEmulator({ config: bad, port: 0, writeDevJson: false }), (error: unknown) => {
      assert.ok(error instanceof EmulatorConfigError);
      assert.deepEqual(error.problems, [
        'tenants[0].managedIdentities[0].roles[0].roles[0]: "No.Such.Role" is not an application permission of Microsoft Graph',
        'tenants[0].managedIdentities[1].type: only one system-assigned identity may be declared (the emulator is one host; tenants[0].managedIdentities[0] is it)',
      ]);
      return true;
    });
  });
});
