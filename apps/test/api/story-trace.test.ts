/**
 * GET /api/story continues the caller's W3C trace: the API's part of the trace (checks passed,
 * the On-Behalf-Of exchange with the Storage token's claims, the blob read) comes back in the
 * body, matched to the token endpoint by client-request-id, and never contains a token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApi } from '../../api/server.ts';
import type { RunningApi } from '../../api/server.ts';
import type { ApiTrace } from '../../api/trace/story-trace.ts';
import { ensureLocalTls } from '../../../packages/emulator/src/tls/local-ca.ts';
import { azuriteBlobScript, startStorage } from '../../storage/index.ts';
import type { RunningStorage } from '../../storage/index.ts';
import { startApiTestEnv } from './helpers/api-test-env.ts';
import type { ApiTestEnv } from './helpers/api-test-env.ts';
import { signInWithMsal } from './helpers/msal-sign-in.ts';

const skip = azuriteBlobScript() === undefined ? 'Azurite is not installed: run npm install' : false;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

let env: ApiTestEnv;
let storage: RunningStorage;
let api: RunningApi;
let token: string;

type StoryBody = { oid: string; story: string; trace: ApiTrace; storageTokenClaims: Record<string, unknown> };

async function story(traceparent?: string): Promise<{ status: number; text: string; body: StoryBody }> {
  const res = await fetch(`${api.url}/api/story`, { headers: { authorization: `Bearer ${token}`, ...(traceparent ? { traceparent } : {}) } });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as StoryBody };
}

describe('the Story call carries one trace through the API', { skip }, () => {
  before(async () => {
    env = await startApiTestEnv();
    storage = await startStorage({ dataDir: env.dataDir, tls: await ensureLocalTls(env.dataDir), users: [{ oid: env.oid('adele'), displayName: env.user('adele').displayName }], port: 0 });
    api = await startApi({ env: { LOG_LEVEL: 'silent' }, dataDir: env.dataDir, port: 0, host: '127.0.0.1' });
    env.emulator.deps.directory.consents.grant(env.tenantId, env.webClientId, env.apiClientId, env.oid('adele'), ['user_impersonation']);
    token = (await signInWithMsal(env, 'adele', [env.emulator.devJson.apps.api.scope])).accessToken;
  });
  after(async () => {
    await api?.close();
    await storage?.close();
    await env?.stop();
  });

  it('continues the caller\'s traceparent and reports each check, the exchange and the Storage token\'s claims', async () => {
    const { status, text, body } = await story(TRACEPARENT);
    assert.equal(status, 200);
    assert.equal(body.trace.traceparent, TRACEPARENT);
    assert.equal(body.trace.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(body.trace.continued, true);
    assert.deepEqual(body.trace.steps.map((s) => `${s.from}>${s.to} ${s.title}`), [
      'api>api Validate the bearer token',
      'api>idp POST /token (On-Behalf-Of)',
      'idp>api 200 Storage token (v1)',
      `api>storage GET /${env.oid('adele')}.md`,
      `storage>api 200 (${Buffer.byteLength(body.story)} bytes)`,
    ]);
    const checks = Object.fromEntries(body.trace.steps[0]!.fields.map((f) => [f.name, f.value]));
    assert.equal(checks['signature'], 'passed');
    assert.equal(checks['algorithm'], 'passed: RS256');
    assert.equal(checks['scope'], 'passed: user_impersonation');
    assert.equal(checks['aud'], env.apiClientId);
    const obo = Object.fromEntries(body.trace.steps[1]!.fields.map((f) => [f.name, f.value]));
    assert.equal(obo['client-request-id'], '4bf92f35-77b3-4da6-a3ce-929d0e0e4736');
    const storageClaims = Object.fromEntries(body.trace.steps[2]!.fields.map((f) => [f.name, f.value]));
    assert.equal(storageClaims['ver'], '1.0');
    assert.equal(storageClaims['appid'], env.apiClientId);
    assert.equal(storageClaims['oid'], env.oid('adele'));
    assert.equal(body.storageTokenClaims['aud'], 'https://storage.azure.com');
    assert.equal(body.storageTokenClaims['oid'], env.oid('adele'));
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\./.test(text), 'no token in the answer');
    assert.ok(!text.includes(token.split('.')[2]!), 'not the caller token');
  });

  it('a second call reuses the Storage token and says so, with no POST /token drawn', async () => {
    const { body } = await story(TRACEPARENT);
    assert.deepEqual(body.trace.steps.map((s) => `${s.from}>${s.to} ${s.title}`), [
      'api>api Validate the bearer token',
      'api>api Storage token from the OBO cache',
      `api>storage GET /${env.oid('adele')}.md`,
      `storage>api 200 (${Buffer.byteLength(body.story)} bytes)`,
    ]);
  });

  it('an invalid traceparent starts a new trace', async () => {
    const { body } = await story('00-00000000000000000000000000000000-00f067aa0ba902b7-01');
    assert.equal(body.trace.continued, false);
    assert.match(body.trace.traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(body.trace.traceId, '00000000000000000000000000000000');
  });
});
