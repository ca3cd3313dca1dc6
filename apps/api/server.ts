import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { devJsonPath, updateDevJson } from '@entrakit/emulator';
import { trustCaCertificate } from 'entrakit';
import { getRequestListener } from '@hono/node-server';
import { createApiApp } from './app.ts';
import { createAppLogger, type AppLogger } from '../shared/logger.ts';
import { loadApiConfig } from './config.ts';
import type { ApiConfig } from './config.ts';
import { createApiDeps } from './deps.ts';

/** Room for the 16 KB token limit plus the request's other headers. */
export const API_MAX_HEADER_BYTES = 64 * 1024;

export interface StartApiOptions {
  /** Environment variables to read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Data folder with dev.json; overrides ENTRAKIT_DATA. */
  dataDir?: string;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  /** Overrides HOST. */
  host?: string;
  fetch?: typeof globalThis.fetch;
  clock?: () => number;
  /** The apps' shared logger (pino, secrets redacted); default writes JSON lines to stdout. */
  logger?: AppLogger;
}

export interface RunningApi {
  url: string;
  config: ApiConfig;
  close(): Promise<void>;
}

/**
 * Loads the configuration (failing with API_CONFIG_INVALID naming the variable), trusts the
 * configured CA, listens, and records `"api": {"url"}` in dev.json when the data folder has one.
 */
export async function startApi(options: StartApiOptions = {}): Promise<RunningApi> {
  const config = await loadApiConfig({
    ...(options.env ? { env: options.env } : {}),
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  });
  if (config.caFile) trustCaCertificate(await readFile(config.caFile, 'utf8'));
  const logger = options.logger ?? createAppLogger({ name: 'entrakit-api', level: options.env?.['LOG_LEVEL'] ?? process.env['LOG_LEVEL'] ?? 'info' });
  const deps = await createApiDeps(config, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  // Node refuses headers over 16 KB with a bare 431; a larger limit lets oversized bearer tokens
  // reach the policy, which answers them per RFC 6750 (401 invalid_token).
  const server: Server = createServer({ requestTimeout: 30_000, headersTimeout: 15_000, maxHeaderSize: API_MAX_HEADER_BYTES }, getRequestListener(createApiApp({ ...deps, onUnexpectedError: logUnexpected(logger) }).fetch));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, () => {
      server.off('error', fail);
      done();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(config.host)}:${port}`;
  if (existsSync(devJsonPath(config.dataDir))) await updateDevJson(config.dataDir, { api: { url } });

  return {
    url,
    config,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function urlHost(host: string): string {
  if (host === '127.0.0.1' || host === 'localhost' || host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** Errors no route expected are bugs: logged with their code and message (never a token), answered 500. */
function logUnexpected(logger: AppLogger): (error: unknown) => void {
  return (error) => {
    const e = error as { code?: unknown; message?: unknown; name?: unknown } | null;
    logger.error({ code: typeof e?.code === 'string' ? e.code : 'UNEXPECTED', name: typeof e?.name === 'string' ? e.name : undefined }, typeof e?.message === 'string' ? e.message : 'unexpected error');
  };
}
