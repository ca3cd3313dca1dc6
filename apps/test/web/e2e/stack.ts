/**
 * The real emulator (HTTPS, local CA) plus the real web app on a port held from the start
 * (public-port.ts), for browser tests.
 * The demo app's redirect URI is fixed to port 5000, so the test registers its own web app with
 * redirect and logout URIs on the test's port, admin-consented to Graph like the demo app.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trustCaCertificate } from '../../../../packages/entrakit/src/core/trust-ca.ts';
import { newApplication } from '../../../../packages/emulator/src/directory/new-application.ts';
import { addClientSecret, registerApplication } from '@entrakit/emulator';
import { GRAPH_APP_ID } from '../../../../packages/emulator/src/protocol/microsoft-resources.ts';
import { startEmulator } from '../../../../packages/emulator/src/server.ts';
import { stableGuid } from '../../../../packages/emulator/src/directory/ids.ts';
import { ensureLocalTls } from '../../../../packages/emulator/src/tls/local-ca.ts';
import { startApi } from '../../../api/server.ts';
import { startStorage } from '../../../storage/index.ts';
import type { RunningEmulator } from '../../../../packages/emulator/src/server.ts';
import { startWeb } from '../../../web/server.ts';
import type { RunningWeb } from '../../../web/server.ts';
import { holdPublicPort } from './public-port.ts';

export interface Stack {
  emulator: RunningEmulator;
  web: RunningWeb;
  webUrl: string;
  clientId: string;
  /** Where screenshots go: $ENTRAKIT_TEST_SHOTS when set (kept), else the stack's temp folder (deleted by close). */
  shotsDir: string;
  user(alias: 'adele' | 'alex' | 'megan'): { username: string; password: string; displayName: string; totpSecret?: string };
  restartWeb(): Promise<void>;
  close(): Promise<void>;
}

/** `withApi` also starts Azurite (a story per demo user) and the real API, so /story is real; `emulatorClock` lets a test move the emulator's time on instead of waiting. */
export async function startStack(options: { withApi?: boolean; emulatorClock?: () => number } = {}): Promise<Stack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-web-e2e-'));
  const emulatorDir = join(dataDir, 'emulator');
  const emulator = await startEmulator({ dataDir: emulatorDir, port: 0, ...(options.emulatorClock ? { clock: options.emulatorClock } : {}) });
  trustCaCertificate(emulator.caPem);
  const publicPort = await holdPublicPort();
  const webUrl = publicPort.url;
  const { directory } = emulator.deps;
  const tenantId = emulator.devJson.tenantId;
  const clientId = randomUUID();
  const app = newApplication({
    appId: clientId,
    displayName: 'entrakit web (e2e)',
    web: { redirectUris: [`${webUrl}/auth/callback`, `${webUrl}/`], logoutUrl: `${webUrl}/auth/frontchannel-logout` },
  });
  registerApplication(directory, tenantId, app);
  const secret = addClientSecret(directory, app, 'e2e', Date.now());
  directory.consents.grant(tenantId, clientId, GRAPH_APP_ID, '', ['User.Read', 'openid', 'profile', 'email', 'offline_access']);

  const shotsDir = process.env['ENTRAKIT_TEST_SHOTS'] || join(dataDir, 'shots');
  await mkdir(shotsDir, { recursive: true });
  // Stopped in reverse order by close(), or at once when a later part fails to start.
  const closers: Array<() => Promise<void>> = [async () => rm(dataDir, { recursive: true, force: true }), () => emulator.close(), () => publicPort.close()];
  const closeAll = async (): Promise<void> => {
    const failures: unknown[] = [];
    for (const close of closers.splice(0).reverse()) await close().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw new AggregateError(failures, 'the test stack did not stop cleanly');
  };
  let apiUrl = 'http://127.0.0.1:9';
  try {
    if (options.withApi) {
      const users = emulator.devJson.users.map((u) => ({ oid: stableGuid(`user:${u.username.split('@')[0]}`), displayName: u.displayName }));
      const storage = await startStorage({ dataDir: emulatorDir, tls: await ensureLocalTls(emulatorDir), users, port: 0 });
      closers.push(() => storage.close());
      const api = await startApi({ env: { LOG_LEVEL: 'silent' }, dataDir: emulatorDir, port: 0, host: '127.0.0.1' });
      closers.push(() => api.close());
      apiUrl = api.url;
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  const env = {
    AZURE_AUTHORITY_HOST: emulator.url,
    AZURE_TENANT_ID: tenantId,
    AZURE_CLIENT_ID: clientId,
    AZURE_CLIENT_SECRET: secret,
    ENTRA_CA_FILE: emulator.caFile,
    WEB_BASE_URL: webUrl,
    API_SCOPE: emulator.devJson.apps.api.scope,
    API_URL: apiUrl,
    LOG_LEVEL: 'silent',
  };
  const start = async (): Promise<RunningWeb> => {
    const running = await startWeb({ env, dataDir: join(dataDir, 'web'), port: 0, host: '127.0.0.1' });
    publicPort.relayTo(running.listening);
    return running;
  };
  let web: RunningWeb;
  try {
    web = await start();
  } catch (error) {
    await closeAll();
    throw error;
  }
  const stack: Stack = {
    emulator,
    web,
    webUrl,
    clientId,
    shotsDir,
    user(alias) {
      const found = emulator.devJson.users.find((u) => u.username.startsWith(`${alias}@`));
      if (!found) throw new Error(`no demo user ${alias}`);
      return found;
    },
    async restartWeb() {
      await stack.web.close();
      stack.web = await start();
    },
    async close() {
      try {
        await stack.web.close();
      } finally {
        await closeAll();
      }
    },
  };
  return stack;
}
