// The reference API (startApi) in its own process, as `entrakit dev` runs it: everything from dev.json.
import { startApi } from '../../apps/api/server.ts';
import { serveFromParent } from '../lib/server-process.ts';

serveFromParent<{ dataDir: string }, { url: string }>(async ({ dataDir }) => {
  const api = await startApi({ dataDir, port: 0, host: '127.0.0.1', env: {} });
  return { info: { url: api.url }, close: () => api.close() };
});
