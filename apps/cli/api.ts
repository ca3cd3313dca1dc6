import { parseCommandArgs, parsePort } from '@entrakit/emulator/cli';
import { applyLogFormat, serveUntilSignal } from './serve.ts';

export const API_HELP = `Usage: entrakit api [--port 5001] [--host 127.0.0.1] [--data .entrakit]

Runs the protected API (GET /api/me, /api/story, /api/admin/users, /health). Configured by
environment variables (docs/api.md); while AZURE_AUTHORITY_HOST is unset or the emulator's URL, they
default to DATA/dev.json, so it works against "entrakit emulator" with no setup. Stops on Ctrl-C.

  --port   listening port (default PORT or 5001; 0 picks a free one)
  --host   listening address (default HOST or 127.0.0.1)
  --data   data folder holding dev.json (default ENTRAKIT_DATA or .entrakit)
  --log-format  pretty (readable lines) or json (default LOG_FORMAT, else pretty on a terminal)`;

export async function apiCommand(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    'log-format': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void console.log(API_HELP);
  applyLogFormat(values['log-format']);
  // Loaded after argument parsing so --help stays instant.
  const { startApi } = await import('../api/server.ts');
  await serveUntilSignal(
    'API',
    () =>
      startApi({
        ...(values.port !== undefined ? { port: parsePort(values.port, 5001) } : {}),
        ...(values.host !== undefined ? { host: values.host } : {}),
        ...(values.data !== undefined ? { dataDir: values.data } : {}),
      }),
    (api) => [
      `entrakit api listening on ${api.url}`,
      `  authority  ${api.config.authority}`,
      `  audiences  ${api.config.audiences.join(', ')}`,
      `  storage    ${api.config.storage.blobUrl ?? '(not configured: /api/story answers 502)'}`,
    ],
  );
}
