import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DevJson } from '@entrakit/emulator';
import { createGraphClient, emulatorSignInFrom, emulatorTokenSource, parseManifest, provision } from '../provision/index.ts';
import { removeEnvValue, setEnvValue } from '../provision/env-file.ts';

/** The demo manifest, in the repository beside apps/. */
const DEMO_MANIFEST = join(import.meta.dirname, '..', '..', 'provision', 'demo.json');

/** The web app's older names in provision.env, replaced by the Azure SDK's names the app now reads first. */
const OLDER_WEB_NAMES = ['ENTRA_CLIENT_ID', 'ENTRA_CLIENT_SECRET'];

/**
 * Applies provision/demo.json to the emulator with the same code `entrakit provision` runs (as the
 * demo administrator, over Graph): what the seed and the manifest do not share is applied once, and a data folder
 * whose apps drifted is brought back. DATA/provision.env (0600) holds the apps' ids and secrets,
 * the web app's under AZURE_CLIENT_ID / AZURE_CLIENT_SECRET; a file from before has them under
 * ENTRA_CLIENT_ID / ENTRA_CLIENT_SECRET, which are replaced (same values: they come from dev.json).
 */
export async function provisionDemoApps(dataDir: string, devJson: DevJson): Promise<number> {
  const manifest = parseManifest(await readFile(DEMO_MANIFEST, 'utf8'), DEMO_MANIFEST);
  const dev = devJson as unknown as Record<string, unknown>;
  // The seeded apps already have secrets (in dev.json): the env file names them, so provisioning
  // adds no second secret.
  const envFile = join(dataDir, 'provision.env');
  const { apps } = devJson;
  for (const [name, value] of [
    ['AZURE_CLIENT_ID', apps.web.clientId],
    ['AZURE_CLIENT_SECRET', apps.web.clientSecret],
    ['API_CLIENT_ID', apps.api.clientId],
    ['API_CLIENT_SECRET', apps.api.clientSecret],
  ] as const) {
    await setEnvValue(envFile, name, value);
  }
  for (const name of OLDER_WEB_NAMES) await removeEnvValue(envFile, name);
  const tokens = await emulatorTokenSource(emulatorSignInFrom(dev, join(dataDir, 'dev.json')));
  const graph = createGraphClient({ baseUrl: devJson.graphBaseUrl, tokens });
  const result = await provision({ manifest, graph, envFile, dryRun: false, print: () => undefined });
  return result.writes;
}
