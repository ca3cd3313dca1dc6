import { join, resolve } from 'node:path';
import { createDirectory } from '../directory/directory.ts';
import { createKeyRing } from '../keys/signing-keys.ts';
import { resolveSwitches } from '../protocol/switches.ts';
import { startEmulator } from '../server.ts';
import { parseCommandArgs, parsePort, untilSignal, UsageError } from './args.ts';

export const EMULATOR_HELP = `Usage: entrakit-emulator [--port 8443] [--host 127.0.0.1] [--data .entrakit]
       entrakit-emulator rotate-keys [--data .entrakit]

(In the entrakit repository the same command is "entrakit emulator".)

Runs the local Entra ID emulator over HTTPS with a local CA (DATA/ca.pem), a persistent directory
and signing keys, and a seeded demo tenant. Writes DATA/dev.json on start. Stops on Ctrl-C.

  rotate-keys   publish a new signing key at once; it signs after ENTRAKIT_EMULATOR_KEY_LEAD_SEC
                (default 5 s), and the old one stays in the JWKS until the tokens it signed
                have expired (a running emulator picks the change up by itself)`;

export async function emulatorCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) return void console.log(EMULATOR_HELP);
  const dataDir = resolve(values.data ?? '.entrakit');
  if (positionals[0] === 'rotate-keys') {
    const directory = createDirectory({ path: join(dataDir, 'directory.db') });
    const keys = createKeyRing(directory.db, { leadTimeMs: resolveSwitches().keyLeadTimeSec * 1000 });
    await keys.ensure();
    const { kid, activatesAt } = await keys.rotate();
    directory.close();
    return void console.log(`New signing key ${kid} is published and signs from ${new Date(activatesAt).toISOString()}; previous keys stay published until their tokens expire.`);
  }
  if (positionals.length > 0) throw new UsageError(`unknown emulator subcommand "${positionals[0]}" (expected rotate-keys)`);
  const emulator = await startEmulator({ dataDir, port: parsePort(values.port, 8443), host: values.host ?? '127.0.0.1' });
  console.log(`entrakit-emulator listening on ${emulator.url}`);
  console.log(`  authority  ${emulator.devJson.authority}`);
  console.log(`  CA         ${emulator.caFile} (trust it, or set NODE_EXTRA_CA_CERTS to it)`);
  console.log(`  dev.json   ${join(dataDir, 'dev.json')}`);
  const signal = await untilSignal();
  console.log(`\n${signal}: stopping the emulator`);
  await emulator.close();
}
