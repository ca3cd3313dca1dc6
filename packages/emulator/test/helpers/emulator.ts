import type { EmulatorOptions, RunningEmulator } from '../../src/server.ts';
import { startEmulator } from '../../src/server.ts';

/** A real emulator over HTTPS on a free port, in a fresh temporary data folder, trusted by this process. */
export async function startTestEmulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator & { cleanup(): Promise<void> }> {
  const emulator = await startEmulator({ port: 0, trustCa: true, ...options });
  return Object.assign(emulator, { cleanup: () => emulator.close() });
}
