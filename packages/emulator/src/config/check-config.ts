import { createDirectory } from '../directory/directory.ts';
import { applyEmulatorConfig } from './apply-config.ts';
import { EmulatorConfigError, type LoadedConfig } from './load-config.ts';

/**
 * Every check the start runs, without a data folder: the config is applied to a throw-away
 * in-memory directory. Throws EmulatorConfigError listing the problems. Both `check-config` and
 * the start call it, so a file check-config calls valid is one the start accepts, and a refused
 * file leaves the data folder untouched.
 */
export async function checkEmulatorConfig(loaded: LoadedConfig, now: number = Date.now()): Promise<void> {
  const directory = createDirectory({ path: ':memory:', clock: () => now });
  try {
    await applyEmulatorConfig(directory, loaded, now);
  } catch (error) {
    if (error instanceof EmulatorConfigError) throw error;
    // A clash only the directory notices (e.g. two objects given the same id).
    throw new EmulatorConfigError(loaded.source, [`cannot be applied: ${error instanceof Error ? error.message : String(error)}`]);
  } finally {
    directory.close();
  }
}
