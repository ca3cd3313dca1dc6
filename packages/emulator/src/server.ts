import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { updateDevJson, type ConfiguredDevJson, type DevJson } from './dev-json.ts';
import { trustCaCertificate } from 'entrakit';
import { createSqliteStore } from 'entrakit/store';
import { createAdjustableClock } from './admin/adjustable-clock.ts';
import { createInProcessAdmin, type EmulatorAdmin } from './admin/in-process-admin.ts';
import { createEmulatorApp } from './app.ts';
import type { EmulatorDeps } from './deps.ts';
import { createDirectory } from './directory/directory.ts';
import { upgradeFirstPartyPermissions } from './directory/first-party-upgrade.ts';
import { createFaultInjector } from './faults.ts';
import { API_APP_ID, CLI_APP_ID, CLI_REDIRECT_URI, DEMO_TENANT, demoAdmin, demoSecret, demoUsers, seedDemoTenant, WEB_APP_ID, WEB_REDIRECT_URI } from './seed/demo-tenant.ts';
import { resolveSwitches, type EmulatorSwitches } from './protocol/switches.ts';
import { applyEmulatorConfig, type AppliedTenant } from './config/apply-config.ts';
import { checkEmulatorConfig } from './config/check-config.ts';
import { resolveEmulatorConfig } from './config/load-config.ts';
import type { EmulatorConfigInput } from './config/schema.ts';
import { configuredDevJson } from './config/dev-json.ts';
import { managedIdentityDevJson } from './protocol/managed-identities.ts';
import { createTenantKeyRings } from './keys/tenant-key-rings.ts';
import { createRequestLog } from './request-log/request-log.ts';
import { createTokenFaults } from './token-faults.ts';
import { ensureLocalTls } from './tls/local-ca.ts';

export interface EmulatorOptions extends Partial<EmulatorSwitches> {
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
  /**
   * Tenants, users, groups and apps from a tenant file (a path to JSON, or the object), instead of
   * the demo tenant. Validated before anything starts; see docs/emulator.md.
   */
  config?: string | EmulatorConfigInput;
}

export interface RunningEmulator<D = DevJson> {
  url: string;
  /** Pages for people: home (tenants, users, apps), request log, device code sign-in, AADSTS explanations. */
  urls: { home: string; requestLog: string; deviceLogin: string; errors: string };
  caFile: string;
  caPem: string;
  dataDir: string;
  /** What was written to DATA/dev.json (URLs, CA, admin key, apps with secrets, users with passwords). */
  devJson: D;
  deps: EmulatorDeps;
  /** Test controls without HTTP: mint tokens, move the clock, sign a user in (docs/emulator.md). */
  admin: EmulatorAdmin;
  close(): Promise<void>;
}

/** A secret kept in a 0600 file under DATA, created once, so cookies survive restarts. */
async function persistentSecret(path: string, bytes: number): Promise<Buffer> {
  if (existsSync(path)) {
    await chmod(path, 0o600);
    return Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url');
  }
  const value = randomBytes(bytes);
  await writeFile(path, value.toString('base64url'), { mode: 0o600 });
  await chmod(path, 0o600);
  return value;
}

const warnedFolders = new Set<string>();
/** How long close() waits for answers under way before it drops their connections. */
const CLOSE_GRACE_MS = 5_000;

/**
 * DATA holds the CA key, signing keys, client secrets and cookie keys: owner-only (0700) whoever
 * made it and whatever the umask; a folder that was open to group or others is reported once.
 */
async function secureFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  const mode = (await stat(path)).mode & 0o777;
  if (mode & 0o077 && !warnedFolders.has(path)) {
    warnedFolders.add(path);
    process.stderr.write(`entrakit emulator: data folder ${path} was accessible to group or others (mode ${mode.toString(8)}); it holds secrets, so it is now 0700\n`);
  }
  if (mode !== 0o700) {
    try {
      await chmod(path, 0o700);
    } catch (error) {
      throw new Error(`the data folder ${path} cannot be made owner-only (0700): ${(error as NodeJS.ErrnoException).code ?? 'error'}; use a folder you own`, { cause: error });
    }
  }
}

/** Creates (or tightens) a file 0600 before SQLite opens it; its -wal and -shm files copy the mode. */
async function ownerOnlyFile(path: string): Promise<void> {
  closeSync(openSync(path, 'a', 0o600));
  await chmod(path, 0o600);
  for (const companion of [`${path}-wal`, `${path}-shm`]) if (existsSync(companion)) await chmod(companion, 0o600);
}

/** Starts the emulator over HTTPS; with `config`, its tenants replace the demo tenant. */
export function startEmulator(options: EmulatorOptions & { config: string | EmulatorConfigInput }): Promise<RunningEmulator<ConfiguredDevJson>>;
export function startEmulator(options?: EmulatorOptions): Promise<RunningEmulator<DevJson>>;
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator<DevJson | ConfiguredDevJson>> {
  // Bad settings or a bad config stop the emulator before it touches the data folder or a port.
  const switches = resolveSwitches(options);
  const loaded = options.config === undefined ? undefined : resolveEmulatorConfig(options.config);
  if (loaded) await checkEmulatorConfig(loaded, (options.clock ?? Date.now)());
  const temporary = options.dataDir === undefined;
  const dataDir = temporary ? await mkdtemp(join(tmpdir(), 'entrakit-emulator-')) : resolve(options.dataDir!);
  await secureFolder(dataDir);
  // One adjustable clock for everything (tests move it with POST /_admin/clock or `admin.clock`).
  const time = createAdjustableClock(options.clock ?? Date.now);
  const clock = time.now;
  const tls = await ensureLocalTls(dataDir, new Date(clock()));
  await ownerOnlyFile(join(dataDir, 'directory.db'));
  const directory = createDirectory({ path: join(dataDir, 'directory.db'), clock });
  let applied: AppliedTenant[] | undefined;
  try {
    if (loaded) applied = await applyEmulatorConfig(directory, loaded, clock());
    else await seedDemoTenant(directory, clock());
    upgradeFirstPartyPermissions(directory);
  } catch (error) {
    directory.close();
    if (temporary) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const keys = createTenantKeyRings(directory.db, { clock, leadTimeMs: switches.keyLeadTimeSec * 1000 });
  await keys.ensure();
  // Each configured tenant signs with its own key; the demo tenant keeps the shared one.
  if (applied) await keys.ensureTenants(applied.map((t) => t.id));
  await ownerOnlyFile(join(dataDir, 'emulator-state.db'));
  const state = createSqliteStore({ path: join(dataDir, 'emulator-state.db'), clock });
  const cookieSecret = await persistentSecret(join(dataDir, 'tls', 'cookie-secret'), 32);
  const adminKey = (await persistentSecret(join(dataDir, 'tls', 'admin-key'), 24)).toString('base64url');

  // The app needs the public URL, known only once the port is bound (port 0 in tests).
  const handler: { app?: ReturnType<typeof createEmulatorApp> } = {};
  const listener = getRequestListener((request) => (handler.app ? handler.app.fetch(request) : new Response('starting', { status: 503 })));
  // Requests whose answer is not sent yet: close() lets them finish, since a refresh-token
  // rotation already stored must reach its client (else its next refresh is a reuse).
  const inFlight = { count: 0, drained: undefined as (() => void) | undefined };
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem, requestTimeout: 30_000, headersTimeout: 15_000 }, (req, res) => {
    inFlight.count += 1;
    res.once('close', () => {
      inFlight.count -= 1;
      if (inFlight.count === 0) inFlight.drained?.();
    });
    void listener(req, res);
  });
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
  const deps: EmulatorDeps = {
    directory,
    keys,
    state,
    clock,
    time,
    publicUrl: url,
    cookieSecret,
    faults: createFaultInjector(),
    adminKey,
    switches,
    tokenFaults: createTokenFaults(),
    requestLog: createRequestLog({ clock }),
  };
  try {
    handler.app = createEmulatorApp(deps);
  } catch (error) {
    // Bad settings (e.g. an invalid ENTRAKIT_EMULATOR_* value): release everything, then report.
    await new Promise<void>((done) => server.close(() => done()));
    await state.close();
    directory.close();
    throw error;
  }

  const admin = demoAdmin(directory);
  const emulatorInfo = { url, caFile: tls.caFile, adminKey };
  const managedIdentity = managedIdentityDevJson(directory, url, cookieSecret);
  const devJson: DevJson | ConfiguredDevJson = applied ? { ...configuredDevJson(emulatorInfo, applied), ...(managedIdentity ? { managedIdentity } : {}) } : {
    emulator: emulatorInfo,
    tenantId: DEMO_TENANT.id,
    authority: `${url}/${DEMO_TENANT.id}`,
    graphBaseUrl: `${url}/v1.0`,
    apps: {
      web: { clientId: WEB_APP_ID, clientSecret: demoSecret(directory, `app:${WEB_APP_ID}`), redirectUri: WEB_REDIRECT_URI },
      api: { clientId: API_APP_ID, clientSecret: demoSecret(directory, `app:${API_APP_ID}`), scope: `api://${API_APP_ID}/user_impersonation` },
      ...(directory.findApplicationByClientId(CLI_APP_ID) ? { cli: { clientId: CLI_APP_ID, redirectUri: CLI_REDIRECT_URI } } : {}),
    },
    users: demoUsers(directory),
    ...(admin ? { admin } : {}),
    ...(managedIdentity ? { managedIdentity } : {}),
  };
  const written = options.writeDevJson === false ? devJson : await updateDevJson<DevJson | ConfiguredDevJson>(dataDir, devJson);
  if (options.writeDevJson !== false) await chmod(join(dataDir, 'dev.json'), 0o600);
  if (options.trustCa) trustCaCertificate(tls.caPem);

  let closing: Promise<void> | undefined;
  return {
    url,
    urls: { home: `${url}/`, requestLog: `${url}/_admin/requests`, deviceLogin: `${url}/common/oauth2/deviceauth`, errors: `${url}/error` },
    caFile: tls.caFile,
    caPem: tls.caPem,
    dataDir,
    devJson: written,
    deps,
    admin: createInProcessAdmin(deps),
    // Idempotent: a test's cleanup may run after an explicit close.
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        // Answers under way are delivered (bounded: a hung client cannot hold the close).
        if (inFlight.count > 0) {
          await new Promise<void>((done) => {
            const timer = setTimeout(done, CLOSE_GRACE_MS);
            inFlight.drained = () => {
              clearTimeout(timer);
              done();
            };
          });
        }
        server.closeAllConnections();
        await closed;
        await state.close();
        directory.close();
        if (temporary) await rm(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
