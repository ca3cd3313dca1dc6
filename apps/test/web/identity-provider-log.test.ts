/**
 * IdentityProviderLog against the real emulator: without a request log the emulator answers 404
 * and the app says "not available"; without the admin key it says why; Entra says "not visible".
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { emulatorIdentityProviderLog, entraIdentityProviderLog } from '../../web/idp/identity-provider-log.ts';
import { startApiTestEnv } from '../api/helpers/api-test-env.ts';
import type { ApiTestEnv } from '../api/helpers/api-test-env.ts';

describe('IdentityProviderLog', () => {
  let env: ApiTestEnv;
  let empty: string;
  before(async () => {
    env = await startApiTestEnv();
    empty = await mkdtemp(join(tmpdir(), 'entrakit-idplog-'));
  });
  after(async () => {
    await env?.stop();
    await rm(empty, { recursive: true, force: true });
  });

  it('asks the emulator with its admin key and gets the requests filed under the correlation id', async () => {
    const log = emulatorIdentityProviderLog({ instance: env.emulator.url, dataDir: env.dataDir, fetch });
    assert.deepEqual(await log.lookup('4bf92f35-77b3-4da6-a3ce-929d0e0e4736'), { available: true, entries: [] });
    const id = '0af7651e-6a4b-4c2e-9d0f-3b1c2d4e5f60';
    const { web, api } = env.emulator.devJson.apps;
    const token = await fetch(`${env.emulator.devJson.authority}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'client-request-id': id },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: web.clientId, client_secret: web.clientSecret, scope: `api://${api.clientId}/.default` }),
    });
    assert.equal(token.status, 200);
    const result = await log.lookup(id);
    assert.equal(result.available, true);
    assert.deepEqual(result.available ? result.entries.map((e) => [e.endpoint, e.outcome]) : [], [['token', 'success']]);
  });

  it('without dev.json there is no admin key to send', async () => {
    const log = emulatorIdentityProviderLog({ instance: env.emulator.url, dataDir: empty, fetch });
    assert.deepEqual(await log.lookup('x'), { available: false, reason: "Not available: no emulator admin key (no dev.json in the app's data folder)." });
  });

  it('Entra ID: not visible from the app', async () => {
    const result = await entraIdentityProviderLog().lookup('x');
    assert.equal(result.available, false);
    assert.match(result.available ? '' : result.reason, /^Not visible from the app/);
  });
});
