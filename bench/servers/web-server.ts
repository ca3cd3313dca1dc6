// The reference web app (startWeb) in its own process, as `entrakit dev` runs it (SQLite session
// store in the data folder, unless told otherwise), registered as in dev.json: redirect URI on http://localhost:5000.
import { startWeb } from '../../apps/web/server.ts';
import { serveFromParent } from '../lib/server-process.ts';

serveFromParent<{ dataDir: string; storeUrl?: string }, { url: string }>(async ({ dataDir, storeUrl }) => {
  const env = { WEB_BASE_URL: 'http://localhost:5000', LOG_LEVEL: 'silent', ...(storeUrl ? { STORE_URL: storeUrl } : {}) };
  const web = await startWeb({ dataDir, port: 0, host: '127.0.0.1', env, writeDevJson: false });
  return { info: { url: web.listening }, close: () => web.close() };
});
