// The reference web app (startWeb) in its own process, as `entrakit dev` runs it (SQLite session
// store in the data folder), registered as in dev.json: redirect URI on http://localhost:5000.
import { startWeb } from '../../apps/web/server.ts';
import { serveFromParent } from '../lib/server-process.ts';

serveFromParent<{ dataDir: string }, { url: string }>(async ({ dataDir }) => {
  const env = { WEB_BASE_URL: 'http://localhost:5000', LOG_LEVEL: 'silent' };
  const web = await startWeb({ dataDir, port: 0, host: '127.0.0.1', env, writeDevJson: false });
  return { info: { url: web.listening }, close: () => web.close() };
});
