import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trustCaCertificate } from '../../src/core/trust-ca.ts';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.ts';

/** A real emulator over HTTPS on a free port, in a fresh data folder, trusted by this process. */
export async function startTestEmulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator & { dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'entrakit-emu-')));
  const emulator = await startEmulator({ port: 0, ...options, dataDir });
  trustCaCertificate(emulator.caPem);
  return Object.assign(emulator, {
    dataDir,
    async cleanup() {
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}
