import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestEmulator } from '../../../emulator/test/helpers/emulator.ts';
import type { RunningEmulator } from '../../../emulator/src/server.ts';
import { stableGuid } from '../../../emulator/src/directory/ids.ts';
import { redisInstalled, startTestRedis } from '../../../../apps/test/web/helpers/redis-server.ts';
import type { TestRedis } from '../../../../apps/test/web/helpers/redis-server.ts';
import { createWebAuth } from '../../src/web/index.ts';
import type { CreatedWebAuth } from '../../src/web/index.ts';
import { createTestBrowser } from './helpers/browser.ts';
import { APP_ORIGIN, createDemoApp, demoSettings } from './helpers/demo-app.ts';

const skip = redisInstalled() ? false : 'needs redis-server (apt-get install redis-server)';

describe('two createWebAuth instances on one Redis, no sticky routing (strict refresh-token reuse)', { skip, timeout: 120_000 }, () => {
  let emulator: RunningEmulator & { cleanup(): Promise<void> };
  let redis: TestRedis;
  let dir: string;
  const instances: CreatedWebAuth[] = [];
  let refreshes = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'entrakit-web-redis-'));
    redis = await startTestRedis(dir);
    emulator = await startTestEmulator({ refreshTokenReuse: 'revoke-family' });
    const secret = Buffer.alloc(32, 9).toString('base64url');
    for (let i = 0; i < 2; i++) {
      const entra = createWebAuth({ ...demoSettings(emulator), store: redis.url, secret });
      entra.on('token-refreshed', () => void (refreshes += 1));
      instances.push(entra);
    }
  });
  after(async () => {
    for (const entra of instances) await entra.close();
    await emulator?.cleanup();
    await redis?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a sign-in alternating between the instances works, and concurrent token requests on both refresh once', async () => {
    const apps = instances.map((entra) => createDemoApp(entra));
    let turn = 0;
    const b = createTestBrowser(async (request) => apps[turn++ % 2]!.fetch(request), APP_ORIGIN, emulator.url);
    assert.equal((await b.visit('/profile', emulator.devJson.users.find((u) => u.username.startsWith('megan@'))!)).status, 200);
    assert.ok(turn >= 3, 'both instances took part in the sign-in');
    for (let i = 0; i < 4; i++) assert.equal((await b.get('/profile')).status, 200);

    const { tenantId } = emulator.devJson;
    const apiId = emulator.devJson.apps.api.clientId;
    emulator.deps.directory.consents.grant(tenantId, emulator.devJson.apps.web.clientId, apiId, stableGuid('user:megan'), ['user_impersonation']);
    const before = refreshes;
    const scope = `api://${apiId}/user_impersonation`;
    const calls = Array.from({ length: 8 }, async (_, i) => {
      const entra = instances[i % 2]!;
      const request = new Request(`${APP_ORIGIN}/`, { headers: { cookie: b.app.header() } });
      await entra.handle(request);
      return entra.getAccessToken(request, [scope]);
    });
    const tokens = await Promise.all(calls);
    assert.equal(new Set(tokens).size, 1, 'every call, on either instance, got the same new token');
    assert.equal(refreshes - before, 1, 'the refresh token was redeemed once across both instances');
  });
});
