import { join } from 'node:path';
import { provisionDemoApps } from './provision-demo.ts';
import { startApi } from '../api/server.ts';
import { homedir } from 'node:os';
import { addWebRedirectUris, ensureLocalTls, isCaTrusted, startEmulator } from '@entrakit/emulator';
import { startStorage } from '../storage/start-storage.ts';
import { startWeb } from '../web/server.ts';
import { dataDirOption, parseCommandArgs, parsePort, untilSignal, UsageError } from '@entrakit/emulator/cli';
import { createAppLogger, parseLogFormat } from '../shared/logger.ts';

export const DEV_HELP = `Usage: entrakit dev [--data .entrakit] [--no-storage]
                   [--emulator-port 8443] [--storage-port 10000] [--api-port 5001] [--web-port 5000]
                   [--log-format pretty|json] [--log-requests]

Starts the Entra ID emulator, Azurite blob storage, the API and the web app, seeds the demo
tenant, prints the URLs and demo sign-ins, and runs until Ctrl-C. Everything binds to 127.0.0.1.
The web app and API read their usual environment variables (docs/web.md, docs/api.md).

  --data          data folder (default: ENTRAKIT_DATA, or .entrakit)

  --log-format    pretty: readable lines; json: one JSON object a line (default: LOG_FORMAT, else
                  pretty on a terminal and json otherwise)
  --log-requests  also log one line per web request (off: the emulator's request log page,
                  /_admin/requests, has every protocol request)`;

interface Stoppable {
  close(): Promise<void>;
}

export async function devCommand(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(argv, {
    data: { type: 'string' },
    'no-storage': { type: 'boolean' },
    'emulator-port': { type: 'string' },
    'storage-port': { type: 'string' },
    'api-port': { type: 'string' },
    'web-port': { type: 'string' },
    'log-format': { type: 'string' },
    'log-requests': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void console.log(DEV_HELP);
  const dataDir = dataDirOption(values.data);
  let format;
  try {
    format = parseLogFormat(values['log-format'], '--log-format') ?? parseLogFormat(process.env['LOG_FORMAT']);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const logger = (name: string) =>
    createAppLogger({ name, level: process.env['LOG_LEVEL'] ?? 'info', requestLines: values['log-requests'] === true, ...(format ? { format } : {}) });
  const started = Date.now();
  const running: Stoppable[] = [];
  const stopAll = async () => {
    for (const part of running.reverse()) await part.close().catch((error: unknown) => console.error('stop failed:', error));
  };
  const step = (label: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${label}`);

  try {
    const emulator = await startEmulator({ dataDir, port: parsePort(values['emulator-port'], 8443, '--emulator-port') });
    running.push(emulator);
    step(`emulator  ${emulator.url}`);
    const provisioned = await provisionDemoApps(dataDir, emulator.devJson);
    step(`provision ${provisioned === 0 ? 'the demo apps match provision/demo.json' : `${provisioned} change(s) applied from provision/demo.json`}`);
    if (!values['no-storage']) {
      const tls = await ensureLocalTls(dataDir);
      const { directory } = emulator.deps;
      const users = emulator.devJson.users.map((u) => {
        const user = directory.findUserByUsername(emulator.devJson.tenantId, u.username);
        if (!user) throw new Error(`demo user ${u.username} is missing from the directory`);
        return { oid: user.id, displayName: user.displayName };
      });
      const storage = await startStorage({ dataDir, tls, users, port: parsePort(values['storage-port'], 10000, '--storage-port') });
      running.push(storage);
      step(`storage   ${storage.blobUrl}`);
    }
    const api = await startApi({ dataDir, port: parsePort(values['api-port'], 5001, '--api-port'), host: '127.0.0.1', logger: logger('entrakit-api') });
    running.push(api);
    step(`api       ${api.url}`);
    const webPort = parsePort(values['web-port'], 5000, '--web-port');
    // On another port the demo app's registration must list that port's redirect URIs, and the
    // web app must build them from it, or sign-in fails with AADSTS50011.
    const env = { ...process.env };
    if (webPort !== 0 && env['WEB_BASE_URL'] === undefined) {
      const base = `http://localhost:${webPort}`;
      addWebRedirectUris(emulator.deps.directory, emulator.devJson.apps.web.clientId, [`${base}/auth/callback`, `${base}/`], `${base}/auth/frontchannel-logout`);
      env['WEB_BASE_URL'] = base;
    }
    const web = await startWeb({ dataDir, env, port: webPort, host: '127.0.0.1', logger: logger('entrakit-web') });
    running.push(web);
    step(`web       ${web.url}${web.listening === web.url ? '' : ` (listening on ${web.listening})`}`);

    console.log(`\nentrakit is ready in ${((Date.now() - started) / 1000).toFixed(1)}s. Open ${web.url} and sign in as:`);
    for (const u of emulator.devJson.users) console.log(`  ${u.displayName.padEnd(20)} ${u.username}  password: ${u.password}${u.totpSecret ? `  second factor (TOTP secret for an authenticator app): ${u.totpSecret}` : ''}`);
    const admin = emulator.devJson.admin;
    if (admin) console.log(`  ${'Global Administrator'.padEnd(20)} ${admin.username}  password: ${admin.password}  (Graph writes, provisioning)`);
    console.log(`\n${caAdvice(emulator.caPem, emulator.caFile)}`);
    console.log(`Everything a client needs is in ${join(dataDir, 'dev.json')}. Ctrl-C stops everything.`);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const signal = await untilSignal();
  console.log(`\n${signal}: stopping`);
  await stopAll();
}

/** Whether to suggest `entrakit trust`: one file check and one certutil call on Linux. */
function caAdvice(caPem: string, caFile: string): string {
  const trusted = isCaTrusted(caPem, { home: homedir() });
  if (trusted === true) return `Browsers on this machine trust the local CA ${caFile}.`;
  const run = 'npm run entrakit -- trust';
  if (trusted === false) return `Browsers do not trust the local CA ${caFile} yet: run "${run}" once (or accept the browser's warning).`;
  return `The emulator's certificate comes from the local CA ${caFile}: if you have not yet, run "${run}" once (or accept the browser's warning).`;
}
