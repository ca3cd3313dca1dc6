import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, parseEnv } from 'node:util';
import { isEntrakitError } from 'entrakit';
import { startWeb } from '../web/server.ts';

const HELP = `Usage: entrakit web [--port N] [--host H] [--data DIR]

Serves the sign-in web app (default http://localhost:5000). Configuration comes from environment
variables and ./.env (see docs/web.md); without ENTRA_CLIENT_ID it uses the emulator's demo app
from DIR/dev.json.

Options:
  --port N     listen on port N (default: PORT, or the port of WEB_BASE_URL)
  --host H     listen on host H (default: HOST, or 127.0.0.1)
  --data DIR   data folder (default: ENTRAKIT_DATA, or .entrakit)
  -h, --help   show this help
`;

/** Variables from ./.env that the real environment does not already set (as process.loadEnvFile does). */
function withDotEnv(env: NodeJS.ProcessEnv, path: string): Record<string, string | undefined> {
  if (!existsSync(path)) return env;
  return { ...parseEnv(readFileSync(path, 'utf8')), ...env };
}

export async function webCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65_535) throw new TypeError(`--port must be a number between 0 and 65535, got "${values.port}"`);
  }

  let web;
  try {
    web = await startWeb({
      env: withDotEnv(process.env, resolve('.env')),
      ...(values.data !== undefined ? { dataDir: values.data } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
    });
  } catch (error) {
    if (isEntrakitError(error, 'WEB_CONFIG_INVALID')) {
      process.stderr.write(`entrakit web: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  process.stdout.write(`entrakit web: ${web.url} (listening on ${web.listening}); Ctrl-C to stop\n`);

  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      web.close().then(done, (error: unknown) => {
        process.stderr.write(`entrakit web: error while stopping: ${String(error)}\n`);
        process.exitCode = 1;
        done();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
