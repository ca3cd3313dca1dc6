import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorOptions, RunningEmulator } from '../../src/server.ts';
import { startEmulator } from '../../src/server.ts';

/**
 * A real emulator over HTTPS on a free port, trusted by this process. Its data folder (fresh
 * unless given) outlives close(), so a test can restart on it; cleanup() closes and deletes it.
 */
export async function startTestEmulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator & { cleanup(): Promise<void> }> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'entrakit-emu-')));
  const emulator = await startEmulator({ port: 0, trustCa: true, ...options, dataDir }).catch(async (error: unknown) => {
    if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  return Object.assign(emulator, {
    async cleanup() {
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}
