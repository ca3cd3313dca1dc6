import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { addWebRedirectUris, createDirectory } from '@entrakit/emulator';
import { parseCommandArgs, parsePort, UsageError } from '@entrakit/emulator/cli';
import { loadWebConfig } from '../web/config.ts';
import { startWeb } from '../web/server.ts';
import { applyLogFormat, serveUntilSignal } from './serve.ts';

const HELP = `Usage: entrakit web [--port N] [--host H] [--data DIR]

Serves the sign-in web app (default http://localhost:5000). Configuration comes from environment
variables and ./.env (see docs/web.md); without AZURE_CLIENT_ID it uses the emulator's demo app
from DIR/dev.json.

Options:
  --port N     listen on port N (default: PORT, or the port of WEB_BASE_URL). Without
               WEB_BASE_URL the app's URL becomes http://localhost:N: the emulator's demo app
               gets that port's redirect URIs; another registration is refused, naming the
               redirect URI it has (set WEB_BASE_URL and register the new one)
  --host H     listen on host H (default: HOST, or 127.0.0.1)
  --data DIR   data folder (default: ENTRAKIT_DATA, or .entrakit)
  --log-format pretty (readable lines) or json (default: LOG_FORMAT, else pretty on a terminal)
  -h, --help   show this help
`;

/** Variables from ./.env that the real environment does not already set (as process.loadEnvFile does). */
function withDotEnv(env: NodeJS.ProcessEnv, path: string): Record<string, string | undefined> {
  if (!existsSync(path)) return env;
  return { ...parseEnv(readFileSync(path, 'utf8')), ...env };
}

export async function webCommand(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    'log-format': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void process.stdout.write(HELP);
  applyLogFormat(values['log-format']);
  const port = values.port === undefined ? undefined : parsePort(values.port, 5000);
  const env = withDotEnv(process.env, resolve('.env'));
  if (port !== undefined && port !== 0 && env['WEB_BASE_URL'] === undefined) await followPort(env, port, values.data);
  await serveUntilSignal(
    'web app',
    () =>
      startWeb({
        env,
        ...(values.data !== undefined ? { dataDir: values.data } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(values.host !== undefined ? { host: values.host } : {}),
      }),
    (web) => [`entrakit web: ${web.url} (listening on ${web.listening}); Ctrl-C to stop`],
  );
}

/**
 * --port N without WEB_BASE_URL: the sign-in redirect must come back to port N. The emulator's demo
 * app (DATA/dev.json) gets N's redirect and logout URIs in the emulator's directory, as
 * `entrakit dev --web-port` does; any other registration cannot be changed from here, so the
 * command refuses instead of starting an app whose every sign-in fails with AADSTS50011.
 */
async function followPort(env: Record<string, string | undefined>, port: number, dataDir: string | undefined): Promise<void> {
  const config = await loadWebConfig({ env, ...(dataDir !== undefined ? { dataDir } : {}) });
  const base = `http://localhost:${port}`;
  if (new URL(config.baseUrl).port === String(port)) return;
  if (config.registrationSource !== 'dev.json') {
    throw new UsageError(
      `--port ${port}: the app registration ${config.clientId} sends sign-ins back to ${config.redirectUri}, which is not on port ${port}. ` +
        `Register ${base}/auth/callback for it and set WEB_BASE_URL=${base}, or run without --port.`,
    );
  }
  const directoryFile = join(config.dataDir, 'directory.db');
  if (!existsSync(directoryFile)) throw new Error(`--port ${port}: the emulator's directory ${directoryFile} is missing, so the demo app cannot get that port's redirect URI`);
  // The emulator notices another process's writes to its directory (SQLite data_version).
  const directory = createDirectory({ path: directoryFile });
  try {
    addWebRedirectUris(directory, config.clientId, [`${base}/auth/callback`, `${base}/`], `${base}/auth/frontchannel-logout`);
  } finally {
    directory.close();
  }
  env['WEB_BASE_URL'] = base;
}
