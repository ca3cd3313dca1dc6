import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { devJsonPath as devJsonFile, readDevJson } from '@entrakit/emulator';
import { dataDirOption, parseCommandArgs, UsageError } from '@entrakit/emulator/cli';
import { createGraphClient, deviceCodeTokenSource, emulatorSignInFrom, emulatorTokenSource, parseManifest, provision, tokenFileSource } from '../provision/index.ts';
import type { TokenSource } from '../provision/index.ts';

export const PROVISION_HELP = `Usage: entrakit provision FILE [--dry-run] [--secrets-file .env] [--data .entrakit]
                         [--tenant TENANT] [--token-file FILE]

Applies a JSON manifest of app registrations over Microsoft Graph: display name, sign-in
audience, redirect URIs, identifier URI and scopes, app roles, permissions by name, owners, a
client secret, the service principal, admin consent and role assignments. Runs again without
changing anything ("no changes"). The manifest is checked before any call.

  --dry-run          print the plan (create / update field by field / unchanged), write nothing
  --secrets-file P   the env file where new secrets and client ids go (mode 0600; default .env)
  --data DIR         the emulator's data folder, for its dev.json (default ENTRAKIT_DATA, or .entrakit)
  --tenant T         real Entra ID: sign in with the device code flow (Azure CLI client)
  --token-file F     use the Graph access token in F instead of signing in

Without --tenant it targets the emulator found through DIR/dev.json and signs its administrator in.`;

const TENANT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9.-]+\.[A-Za-z]{2,})$/i;

export async function provisionCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      'dry-run': { type: 'boolean' },
      // Not --env-file: Node itself reads that flag anywhere on its command line (and exits when the file is missing).
      'secrets-file': { type: 'string' },
      data: { type: 'string' },
      tenant: { type: 'string' },
      'token-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) return void console.log(PROVISION_HELP);
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('give exactly one manifest FILE');
  if (values.tenant !== undefined && !TENANT.test(values.tenant)) throw new UsageError(`--tenant must be a tenant id (GUID) or domain, got "${values.tenant}"`);
  const print = (line: string) => console.log(line);

  // Every problem in the manifest is reported before anything is read from or sent to Graph.
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  const manifest = parseManifest(text, file);
  print(`manifest ${file}: ${manifest.apps.length} app${manifest.apps.length === 1 ? '' : 's'}`);

  let graphBaseUrl: string;
  let tokens: TokenSource;
  if (values.tenant !== undefined) {
    graphBaseUrl = 'https://graph.microsoft.com/v1.0';
    tokens = values['token-file'] ? await tokenFileSource(values['token-file']) : deviceCodeTokenSource({ tenant: values.tenant, print });
  } else {
    const dataDir = dataDirOption(values.data);
    const devJsonPath = devJsonFile(dataDir);
    let dev: Record<string, unknown>;
    try {
      dev = (await readDevJson(dataDir)) as unknown as Record<string, unknown>;
    } catch {
      throw new UsageError(`${devJsonPath} not found: start the emulator (entrakit emulator --data ${dataDir}), or target real Entra with --tenant`);
    }
    if (typeof dev['graphBaseUrl'] !== 'string') throw new UsageError(`${devJsonPath} has no graphBaseUrl`);
    graphBaseUrl = dev['graphBaseUrl'];
    tokens = values['token-file'] ? await tokenFileSource(values['token-file']) : await emulatorTokenSource(emulatorSignInFrom(dev, devJsonPath));
  }
  print(`signing in: ${tokens.description}`);
  await tokens.token();
  print(`graph ${graphBaseUrl}${values['dry-run'] ? ' (dry run: nothing will be written)' : ''}`);
  const graph = createGraphClient({ baseUrl: graphBaseUrl, tokens });
  await provision({ manifest, graph, envFile: resolve(values['secrets-file'] ?? '.env'), dryRun: values['dry-run'] === true, print });
}
