/**
 * `entrakit dev` on a data folder from before the web app read the Azure SDK's names: its
 * provision.env names the web app ENTRA_CLIENT_ID / ENTRA_CLIENT_SECRET. Provisioning the demo
 * apps rewrites them as AZURE_CLIENT_ID / AZURE_CLIENT_SECRET (same values, no second secret), and
 * the web app starts from that file and from the old one alike.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { trustCaCertificate } from '../../../packages/entrakit/src/core/trust-ca.ts';
import { startEmulator } from '../../../packages/emulator/src/server.ts';
import type { RunningEmulator } from '../../../packages/emulator/src/server.ts';
import { provisionDemoApps } from '../../cli/provision-demo.ts';
import { readEnvFile } from '../../provision/env-file.ts';
import { startWeb } from '../../web/server.ts';
import { createAppLogger } from '../../shared/logger.ts';

let emulator: RunningEmulator;
let dir: string;
let dataDir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'entrakit-provision-demo-'));
  dataDir = join(dir, 'data');
  emulator = await startEmulator({ dataDir, port: 0 });
  trustCaCertificate(emulator.caPem);
});
after(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

async function startsFrom(env: Record<string, string>): Promise<void> {
  const web = await startWeb({ env, dataDir, port: 0, writeDevJson: false, logger: createAppLogger({ level: 'silent' }) });
  try {
    assert.equal(web.config.clientId, emulator.devJson.apps.web.clientId);
    assert.deepEqual(web.config.credential, { kind: 'secret', secret: emulator.devJson.apps.web.clientSecret });
    const home = await fetch(`${web.listening}/`);
    assert.equal(home.status, 200);
  } finally {
    await web.close();
  }
}

describe('provision.env of an existing data folder', () => {
  it('starts with the older names, then provisioning writes the Azure SDK names in their place', async () => {
    const { web } = emulator.devJson.apps;
    const envFile = join(dataDir, 'provision.env');
    const older = `# kept\nENTRA_CLIENT_ID=${web.clientId}\nENTRA_CLIENT_SECRET=${web.clientSecret}\n`;
    await writeFile(envFile, older, { mode: 0o600 });
    await startsFrom(Object.fromEntries(await readEnvFile(envFile)));

    await provisionDemoApps(dataDir, emulator.devJson);
    const values = await readEnvFile(envFile);
    assert.equal(values.get('AZURE_CLIENT_ID'), web.clientId);
    assert.equal(values.get('AZURE_CLIENT_SECRET'), web.clientSecret, 'the seeded secret is kept: no second one was added');
    assert.equal(values.has('ENTRA_CLIENT_ID') || values.has('ENTRA_CLIENT_SECRET'), false);
    assert.match(await readFile(envFile, 'utf8'), /^# kept\n/);
    assert.equal((await stat(envFile)).mode & 0o777, 0o600);
    await startsFrom(Object.fromEntries(values));
  });
});
