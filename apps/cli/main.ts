import { readFile } from 'node:fs/promises';
import { UsageError } from '@entrakit/emulator/cli';

const HELP = `entrakit — identity for TypeScript apps on Microsoft Entra ID

Usage: entrakit <command> [options]

Commands:
  dev        start emulator, storage, API and web app together (what npm start runs)
  emulator   run the local Entra ID emulator (and: emulator rotate-keys)
  web        run the sign-in web app
  api        run the protected API
  inspect    decode and explain a JWT
  provision  apply a manifest of app registrations over Microsoft Graph
  trust      trust the local CA (DATA/ca.pem) in the system and browser stores (--uninstall removes it)

Run "entrakit <command> --help" for a command's options; "entrakit --version" for the version.`;

type Command = (argv: string[]) => Promise<void>;

/** Commands load lazily so one command's dependencies never slow another's start. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  dev: async () => (await import('./dev.ts')).devCommand,
  emulator: async () => (await import('@entrakit/emulator/cli')).emulatorCommand,
  web: async () => (await import('./web.ts')).webCommand,
  api: async () => (await import('./api.ts')).apiCommand,
  inspect: async () => (await import('./inspect.ts')).inspectCommand,
  provision: async () => (await import('./provision.ts')).provisionCommand,
  trust: async () => (await import('@entrakit/emulator/cli')).trustCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(`entrakit ${version}`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`entrakit: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    await (await load())(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`entrakit ${name}: ${error.message}`);
      return 2;
    }
    const code = (error as { code?: unknown }).code;
    console.error(`entrakit ${name}: ${error instanceof Error ? error.message : String(error)}${typeof code === 'string' ? ` (${code})` : ''}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
