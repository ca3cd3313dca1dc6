import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { EntrakitError } from 'entrakit';

export const AZURITE_ACCOUNT = 'devstoreaccount1';

export interface AzuriteOptions {
  /** Azurite keeps its data in DATA/azurite. */
  dataDir: string;
  /** PEM certificate (SAN 127.0.0.1) and key: OAuth needs HTTPS. */
  certFile: string;
  keyFile: string;
  /** Default 10000; 0 picks a free port. */
  port?: number;
  host?: string;
  /** How long to wait for Azurite to listen. Default 30 s. */
  startTimeoutMs?: number;
}

export interface RunningAzurite {
  /** `https://127.0.0.1:PORT/devstoreaccount1` */
  blobUrl: string;
  close(): Promise<void>;
}

/**
 * Azurite stops when its stdin pipe closes, which happens however this process ends (SIGKILL
 * included), so no orphaned Azurite keeps the port.
 */
const EXIT_WITH_PARENT = `--import=data:text/javascript,${encodeURIComponent("process.stdin.on('end',()=>process.kill(process.pid,'SIGTERM'));process.stdin.resume();")}`;

/**
 * Azurite writes its databases and blobs with the process's umask: 077 makes them owner-only
 * (0700 folders, 0600 files), like the rest of the data folder.
 */
const OWNER_ONLY_FILES = `--import=data:text/javascript,${encodeURIComponent('process.umask(0o077);')}`;

/** Folders 0700 and files 0600 under dir (what an Azurite run before the umask left). */
async function ownerOnlyTree(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await ownerOnlyTree(path);
    else if (entry.isFile()) await chmod(path, 0o600);
  }
}

/** The path of Azurite's blob-service entry point, or undefined when the package is not installed. */
export function azuriteBlobScript(): string | undefined {
  try {
    const packageJson = createRequire(import.meta.url).resolve('azurite/package.json');
    const script = join(dirname(packageJson), 'dist', 'src', 'blob', 'main.js');
    return existsSync(script) ? script : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs Azurite's blob service as a child process over HTTPS with `--oauth basic` (bearer tokens
 * with an `https://sts.windows.net/` issuer and a Storage audience; no signature check), waits
 * until it accepts connections, and kills it on close or when this process exits.
 */
export async function startAzurite(options: AzuriteOptions): Promise<RunningAzurite> {
  const script = azuriteBlobScript();
  if (!script) throw new EntrakitError('AZURITE_NOT_INSTALLED', 'Azurite is not installed: run npm install', { status: 500 });
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 10000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('startAzurite: "port" must be a port number from 0 to 65535');
  for (const name of ['certFile', 'keyFile'] as const) {
    if (typeof options[name] !== 'string' || !existsSync(options[name])) throw new TypeError(`startAzurite: "${name}" must name an existing PEM file`);
  }
  const location = join(resolve(options.dataDir), 'azurite');
  await mkdir(location, { recursive: true, mode: 0o700 });
  await ownerOnlyTree(location);

  // Our own Node runs Azurite (its bin's shebang would pick whatever `node` is first on PATH).
  const child = spawn(
    process.execPath,
    [
      EXIT_WITH_PARENT,
      OWNER_ONLY_FILES,
      script,
      '--blobHost', host, '--blobPort', String(port),
      '--cert', resolve(options.certFile), '--key', resolve(options.keyFile),
      '--oauth', 'basic', '--disableTelemetry', '--location', location, '--silent',
      // The Storage SDK may speak a newer service version than this Azurite knows.
      '--skipApiVersionCheck',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv() },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let listeningPort: number;
  try {
    listeningPort = await waitForListening(child, options.startTimeoutMs ?? 30_000);
    await waitForConnect(host, listeningPort);
  } catch (error) {
    process.off('exit', killOnExit);
    await stop(child);
    throw error;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    blobUrl: `https://${urlHost}:${listeningPort}/${AZURITE_ACCOUNT}`,
    async close() {
      process.off('exit', killOnExit);
      await stop(child);
    },
  };
}

/** The parent's environment minus the test runner's marker, which would change how a child Node reports. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  return env;
}

/** Azurite prints "successfully listens on https://HOST:PORT" once its server is bound. */
function waitForListening(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((done, fail) => {
    let output = '';
    const timer = setTimeout(() => finish(new Error(`did not start within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
      const match = /successfully listens on https?:\/\/\S+:(\d+)/.exec(output);
      if (match) finish(undefined, Number(match[1]));
    };
    const onExit = (code: number | null) => finish(new Error(`exited with code ${code}`));
    const finish = (error?: Error, port?: number) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      // Keep draining so a chatty child never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      if (error) {
        const tail = output.trim().split('\n').slice(-3).join(' | ');
        fail(new EntrakitError('AZURITE_START_FAILED', `Azurite ${error.message}${tail ? `: ${tail}` : ''}`, { status: 500 }));
      } else done(port ?? 0);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

function waitForConnect(host: string, port: number): Promise<void> {
  return new Promise((done, fail) => {
    const socket = connect({ host, port }, () => {
      socket.end();
      done();
    });
    socket.once('error', (cause) => fail(new EntrakitError('AZURITE_START_FAILED', `Azurite does not accept connections on ${host}:${port}`, { status: 500, cause })));
  });
}

/** SIGTERM lets Azurite flush its metadata; SIGKILL if it has not exited after 5 s. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}
