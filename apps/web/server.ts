import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { updateDevJson } from '@entrakit/emulator';
import { trustCaCertificate } from 'entrakit';
import { createWebApp } from './app.ts';
import { loadWebConfig, WebConfigError } from './config.ts';
import type { WebConfig } from './config.ts';
import { createAppLogger } from '../shared/logger.ts';
import type { AppLogger } from '../shared/logger.ts';
import { openWebStores } from './stores.ts';

export interface StartWebOptions {
  /** Environment variables; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Overrides ENTRAKIT_DATA. */
  dataDir?: string;
  /** Overrides PORT (0 picks a free port; WEB_BASE_URL must then be set to match for sign-in to work). */
  port?: number;
  /** Overrides HOST. */
  host?: string;
  fetch?: typeof fetch;
  clock?: () => number;
  logger?: AppLogger;
  /** Record `web.url` in DATA/dev.json when the app registration came from it (default true). */
  writeDevJson?: boolean;
}

export interface RunningWeb {
  /** The app's public URL (WEB_BASE_URL). */
  url: string;
  /** Where the listener is bound, e.g. http://127.0.0.1:5000. */
  listening: string;
  config: WebConfig;
  close(): Promise<void>;
}

/** Loads and validates the configuration, opens the stores and serves the web app over HTTP. */
export async function startWeb(options: StartWebOptions = {}): Promise<RunningWeb> {
  const config = await loadWebConfig({
    env: options.env ?? process.env,
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  });
  const logger = options.logger ?? createAppLogger({ level: config.logLevel });
  for (const warning of config.warnings) logger.warn(warning);
  if (config.caFile) trustCaCertificate(await readCa(config.caFile));

  const clock = options.clock ?? Date.now;
  const stores = openWebStores(config.storeUrl, { sessionAbsoluteMs: config.sessionAbsoluteMs, clock });
  const app = createWebApp({
    config,
    stores,
    clock,
    logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const server: Server = createServer({ requestTimeout: 30_000, headersTimeout: 15_000 }, getRequestListener(app.fetch));
  server.keepAliveTimeout = 5_000;
  try {
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(config.port, config.host, () => done());
    });
  } catch (error) {
    await stores.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const listening = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  if (config.registrationSource === 'dev.json' && options.writeDevJson !== false) {
    await updateDevJson(config.dataDir, { web: { url: config.baseUrl } });
  }
  logger.info({ url: config.baseUrl, listening, authority: config.authority, clientId: config.clientId }, 'entrakit web is listening');

  return {
    url: config.baseUrl,
    listening,
    config,
    async close() {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await stores.close();
    },
  };
}

async function readCa(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new WebConfigError('ENTRA_CA_FILE', `ENTRA_CA_FILE names ${path}, which cannot be read`);
  }
}
