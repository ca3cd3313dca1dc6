// The real emulator in its own process, so it gets a core to itself (and can be run with --cpu-prof).
import type { DevJson } from '../../packages/emulator/src/dev-json.ts';
import { startEmulator } from '../../packages/emulator/src/server.ts';
import { serveFromParent } from '../lib/server-process.ts';

export interface EmulatorInfo {
  url: string;
  caPem: string;
  devJson: DevJson;
}

serveFromParent<{ dataDir: string }, EmulatorInfo>(async ({ dataDir }) => {
  const emulator = await startEmulator({ dataDir, port: 0 });
  return { info: { url: emulator.url, caPem: emulator.caPem, devJson: emulator.devJson }, close: () => emulator.close() };
});
