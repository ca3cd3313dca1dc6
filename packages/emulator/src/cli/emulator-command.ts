import { join } from 'node:path';
import { createDirectory } from '../directory/directory.ts';
import { resolveSwitches } from '../protocol/switches.ts';
import { EmulatorConfigError, loadEmulatorConfigFile } from '../config/load-config.ts';
import { createTenantKeyRings } from '../keys/tenant-key-rings.ts';
import { checkEmulatorConfig } from '../config/check-config.ts';
import { startEmulator } from '../server.ts';
import { dataDirOption, parseCommandArgs, parsePort, untilSignal, UsageError } from './args.ts';
import { trustCommand } from './trust-command.ts';

export const EMULATOR_HELP = `Usage: entrakit-emulator [--port 8443] [--host 127.0.0.1] [--data .entrakit] [--config tenants.json]
       entrakit-emulator check-config tenants.json
       entrakit-emulator rotate-keys [--data .entrakit]
       entrakit-emulator trust [--data .entrakit] [--uninstall] [--no-system]

(In the entrakit repository the same command is "entrakit emulator".)

Runs the local Entra ID emulator over HTTPS with a local CA (DATA/ca.pem), a persistent directory
and signing keys, and a seeded demo tenant. Writes DATA/dev.json on start. Stops on Ctrl-C.
Home page: https://localhost:8443/ (tenants, users, apps, request log, error explanations).

  --data DIR     CA, directory, signing keys, protocol state and dev.json (default:
                 ENTRAKIT_DATA, or .entrakit)
  --config FILE  tenants, users, groups and app registrations from a JSON tenant file instead of
                 the demo tenant (each tenant gets its own signing key); see docs/emulator.md
  check-config   validate a tenant file and exit (0 when valid, 2 with the problems listed)

  rotate-keys   publish a new signing key at once; it signs after ENTRAKIT_EMULATOR_KEY_LEAD_SEC
                (default 5 s), and the old one stays in the JWKS until the tokens it signed
                have expired (a running emulator picks the change up by itself)

  trust         trust the local CA in the system store and the browsers' (NSS) databases, and
                print NODE_EXTRA_CA_CERTS and REQUESTS_CA_BUNDLE; --uninstall removes it
                ("trust --help" for more)`;

export async function emulatorCommand(argv: string[]): Promise<void> {
  // trust has options of its own.
  if (argv[0] === 'trust') return trustCommand(argv.slice(1));
  const { values, positionals } = parseCommandArgs(
    argv,
    { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) return void console.log(EMULATOR_HELP);
  const dataDir = dataDirOption(values.data);
  if (positionals[0] === 'rotate-keys') {
    const directory = createDirectory({ path: join(dataDir, 'directory.db') });
    const keys = createTenantKeyRings(directory.db, { leadTimeMs: resolveSwitches().keyLeadTimeSec * 1000 });
    await keys.ensure();
    const { kid, activatesAt } = await keys.rotate();
    const others = keys.tenants().length;
    directory.close();
    return void console.log(
      `New signing key ${kid} is published and signs from ${new Date(activatesAt).toISOString()}${others > 0 ? ` (and a new key for each of ${others} configured tenants)` : ''}; previous keys stay published until their tokens expire.`,
    );
  }
  if (positionals[0] === 'check-config') {
    if (!positionals[1]) throw new UsageError('check-config needs the tenant file: entrakit-emulator check-config tenants.json');
    const loaded = await configOrUsage(positionals[1]);
    return void console.log(`${loaded.source}: valid (${loaded.config.tenants.length} tenant${loaded.config.tenants.length === 1 ? '' : 's'})`);
  }
  if (positionals.length > 0) throw new UsageError(`unknown emulator subcommand "${positionals[0]}" (expected rotate-keys, check-config or trust)`);
  // Validated here too, so a bad file is a usage error (exit 2) naming each problem.
  const config = values.config === undefined ? undefined : (await configOrUsage(values.config)).source;
  const emulator = await startEmulator({ dataDir, port: parsePort(values.port, 8443), host: values.host ?? '127.0.0.1', ...(config ? { config } : {}) }).catch((error: unknown) => {
    // A tenant file this data folder cannot take (changed since it was applied): also exit 2.
    throw error instanceof EmulatorConfigError ? new UsageError(error.message) : error;
  });
  console.log(`entrakit-emulator listening on ${emulator.url}`);
  console.log(`  authority  ${emulator.devJson.authority}`);
  console.log(`  CA         ${emulator.caFile} (trust it once with "entrakit-emulator trust", or set NODE_EXTRA_CA_CERTS to it)`);
  console.log(`  dev.json   ${join(dataDir, 'dev.json')} (users with passwords, apps with secrets)`);
  console.log(`  home       ${emulator.url}/ (tenants, apps, request log)`);
  const signal = await untilSignal();
  console.log(`\n${signal}: stopping the emulator`);
  await emulator.close();
}

/** The file read and put through every check the start runs (exit 2 with the problems listed). */
async function configOrUsage(path: string) {
  try {
    const loaded = loadEmulatorConfigFile(path);
    await checkEmulatorConfig(loaded);
    return loaded;
  } catch (error) {
    if (error instanceof EmulatorConfigError) throw new UsageError(error.message);
    throw error;
  }
}
