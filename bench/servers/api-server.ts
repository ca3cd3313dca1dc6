// The real API (startApi) in its own process: GET /api/me is bearer-protected, GET /health is not.
import { startApi } from '../../apps/api/server.ts';
import { serveFromParent } from '../lib/server-process.ts';

serveFromParent<{ dataDir: string }, { url: string }>(async ({ dataDir }) => {
  // An empty env: everything comes from the emulator's dev.json in dataDir.
  const api = await startApi({ dataDir, port: 0, host: '127.0.0.1', env: {} });
  return { info: { url: api.url.replace('//localhost:', '//127.0.0.1:') }, close: () => api.close() };
});
