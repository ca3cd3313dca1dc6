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

  it('asks the emulator with its admin key, or says why the log is not available', async () => {
    const log = emulatorIdentityProviderLog({ instance: env.emulator.url, dataDir: env.dataDir, fetch });
    const result = await log.lookup('4bf92f35-77b3-4da6-a3ce-929d0e0e4736');
    if (result.available) {
      // The emulator's request log exists: nothing was sent with this id.
      assert.deepEqual(result.entries, []);
    } else {
      assert.equal(result.reason, 'Not available: this emulator has no request log (GET /_admin/requests answered 404).');
    }
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
