// The real web app (startWeb) in its own process, registered as in dev.json (redirect URI on localhost:5000).
import { startWeb } from '../../apps/web/server.ts';
import { serveFromParent } from '../lib/server-process.ts';

serveFromParent<{ dataDir: string }, { url: string }>(async ({ dataDir }) => {
  const env = { WEB_BASE_URL: 'http://localhost:5000', STORE_URL: 'memory:', LOG_LEVEL: 'silent' };
  const web = await startWeb({ dataDir, port: 0, host: '127.0.0.1', env, writeDevJson: false });
  return { info: { url: web.listening }, close: () => web.close() };
});
