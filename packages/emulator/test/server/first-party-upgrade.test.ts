/**
 * A data folder from an older emulator lists fewer Graph permissions on its Graph service
 * principal; a start brings them up to date, keeping the service principal's id.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEmulator } from '../../src/server.ts';
import { DEMO_TENANT } from '../../src/seed/demo-tenant.ts';
import { GRAPH_APP_ID } from '../../src/protocol/microsoft-resources.ts';

test('Graph permissions added since a data folder was made appear on the next start', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-upgrade-'));
  try {
    const first = await startEmulator({ dataDir, port: 0 });
    const { directory } = first.deps;
    const graph = directory.findServicePrincipalByAppId(DEMO_TENANT.id, GRAPH_APP_ID)!;
    // What an older version stored: no User.ReadWrite.All anywhere.
    directory.objects.update('servicePrincipal', GRAPH_APP_ID, {
      ...graph,
      oauth2PermissionScopes: graph.oauth2PermissionScopes.filter((s) => s.value !== 'User.ReadWrite.All'),
      appRoles: graph.appRoles.filter((r) => r.value !== 'User.ReadWrite.All'),
    });
    assert.equal(directory.findServicePrincipalByAppId(DEMO_TENANT.id, GRAPH_APP_ID)!.appRoles.some((r) => r.value === 'User.ReadWrite.All'), false);
    await first.close();

    const second = await startEmulator({ dataDir, port: 0 });
    const upgraded = second.deps.directory.findServicePrincipalByAppId(DEMO_TENANT.id, GRAPH_APP_ID)!;
    assert.equal(upgraded.id, graph.id);
    assert.ok(upgraded.appRoles.some((r) => r.value === 'User.ReadWrite.All'));
    assert.ok(upgraded.oauth2PermissionScopes.some((s) => s.value === 'User.ReadWrite.All'));
    await second.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
