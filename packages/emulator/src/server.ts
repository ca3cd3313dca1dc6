import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { updateDevJson, type DevJson } from './dev-json.ts';
import { trustCaCertificate } from 'entrakit';
import { createSqliteStore } from 'entrakit/store';
import { createEmulatorApp } from './app.ts';
import type { EmulatorDeps } from './deps.ts';
import { createDirectory } from './directory/directory.ts';
import { createFaultInjector } from './faults.ts';
import { createTokenFaults } from './token-faults.ts';
import { createKeyRing } from './keys/signing-keys.ts';
import { API_APP_ID, DEMO_TENANT, demoSecret, demoUsers, seedDemoTenant, WEB_APP_ID, WEB_REDIRECT_URI } from './seed/demo-tenant.ts';
import { ensureLocalTls } from './tls/local-ca.ts';

export interface EmulatorOptions {
  /** Keeps the CA, directory, keys and dev.json. Default: a new temporary folder, deleted by close(). */
  dataDir?: string;
  /** Make this process trust the emulator's CA, so fetch and MSAL in the same process reach it. */
  trustCa?: boolean;
  /** 0 picks a free port (tests). */
  port?: number;
  host?: string;
  clock?: () => number;
  /** Write DATA/dev.json (default true). */
  writeDevJson?: boolean;
}

export interface RunningEmulator {
  url: string;
  caFile: string;
  caPem: string;
  dataDir: string;
  devJson: DevJson;
  deps: EmulatorDeps;
  close(): Promise<void>;
}

/** A secret kept in a 0600 file under DATA, created once, so cookies survive restarts. */
async function persistentSecret(path: string, bytes: number): Promise<Buffer> {
  if (existsSync(path)) return Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url');
  const value = randomBytes(bytes);
  await writeFile(path, value.toString('base64url'), { mode: 0o600 });
  return value;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const temporary = options.dataDir === undefined;
  const dataDir = temporary ? await mkdtemp(join(tmpdir(), 'entrakit-emulator-')) : resolve(options.dataDir!);
  const clock = options.clock ?? Date.now;
  const tls = await ensureLocalTls(dataDir, new Date(clock()));
  const directory = createDirectory({ path: join(dataDir, 'directory.db'), clock });
  await seedDemoTenant(directory, clock());
  const keys = createKeyRing(directory.db, { clock });
  await keys.ensure();
  const state = createSqliteStore({ path: join(dataDir, 'emulator-state.db'), clock });
  const cookieSecret = await persistentSecret(join(dataDir, 'tls', 'cookie-secret'), 32);
  const adminKey = (await persistentSecret(join(dataDir, 'tls', 'admin-key'), 24)).toString('base64url');

  // The app needs the public URL, known only once the port is bound (port 0 in tests).
  const handler: { app?: ReturnType<typeof createEmulatorApp> } = {};
  const server: Server = createServer(
    { key: tls.keyPem, cert: tls.certPem, requestTimeout: 30_000, headersTimeout: 15_000 },
    getRequestListener((request) => (handler.app ? handler.app.fetch(request) : new Response('starting', { status: 503 }))),
  );
  server.keepAliveTimeout = 5_000;
  const wantedPort = options.port ?? 8443;
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(wantedPort, host, () => done());
    });
  } catch (error) {
    await state.close();
    directory.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`the emulator's port ${wantedPort} on ${host} is already in use (is another emulator running?); choose another port`, { cause: error });
    }
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `https://localhost:${port}`;
  const deps: EmulatorDeps = { directory, keys, state, clock, publicUrl: url, cookieSecret, faults: createFaultInjector(), tokenFaults: createTokenFaults(), adminKey };
  try {
    handler.app = createEmulatorApp(deps);
  } catch (error) {
    // Bad settings (e.g. an invalid ENTRAKIT_EMULATOR_* value): release everything, then report.
    await new Promise<void>((done) => server.close(() => done()));
    await state.close();
    directory.close();
    throw error;
  }

  const devJson: DevJson = {
    emulator: { url, caFile: tls.caFile, adminKey },
    tenantId: DEMO_TENANT.id,
    authority: `${url}/${DEMO_TENANT.id}`,
    graphBaseUrl: `${url}/v1.0`,
    apps: {
      web: { clientId: WEB_APP_ID, clientSecret: demoSecret(directory, `app:${WEB_APP_ID}`), redirectUri: WEB_REDIRECT_URI },
      api: { clientId: API_APP_ID, clientSecret: demoSecret(directory, `app:${API_APP_ID}`), scope: `api://${API_APP_ID}/user_impersonation` },
    },
    users: demoUsers(directory),
  };
  const written = options.writeDevJson === false ? devJson : await updateDevJson(dataDir, devJson);
  if (options.trustCa) trustCaCertificate(tls.caPem);

  return {
    url,
    caFile: tls.caFile,
    caPem: tls.caPem,
    dataDir,
    devJson: written,
    deps,
    async close() {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await state.close();
      directory.close();
      if (temporary) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
