import { readDevJson, type DevJson } from '@entrakit/emulator';

/**
 * The one rule both apps follow for DATA/dev.json: the identity provider is the one configured
 * (the web app's AZURE_AUTHORITY_HOST or its older ENTRA_INSTANCE, the API's ENTRA_INSTANCE), or,
 * when that is unset, the emulator that wrote DATA/dev.json (Microsoft's login host when there is
 * none). Only while that instance is the emulator do unset variables default to dev.json's values.
 */
export async function emulatorDefaults(
  entraInstance: string | undefined,
  dataDir: string,
  microsoftInstance: string,
): Promise<{ instance: string; emulator?: DevJson }> {
  const found = await readDevJson(dataDir).catch(() => undefined);
  const instance = trimSlash(entraInstance ?? found?.emulator.url ?? microsoftInstance);
  return found && trimSlash(found.emulator.url) === instance ? { instance, emulator: found } : { instance };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
