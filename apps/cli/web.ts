import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { parseCommandArgs, parsePort } from '@entrakit/emulator/cli';
import { startWeb } from '../web/server.ts';
import { applyLogFormat, serveUntilSignal } from './serve.ts';

const HELP = `Usage: entrakit web [--port N] [--host H] [--data DIR]

Serves the sign-in web app (default http://localhost:5000). Configuration comes from environment
variables and ./.env (see docs/web.md); without ENTRA_CLIENT_ID it uses the emulator's demo app
from DIR/dev.json.

Options:
  --port N     listen on port N (default: PORT, or the port of WEB_BASE_URL)
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
  await serveUntilSignal(
    'web app',
    () =>
      startWeb({
        env: withDotEnv(process.env, resolve('.env')),
        ...(values.data !== undefined ? { dataDir: values.data } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(values.host !== undefined ? { host: values.host } : {}),
      }),
    (web) => [`entrakit web: ${web.url} (listening on ${web.listening}); Ctrl-C to stop`],
  );
}
