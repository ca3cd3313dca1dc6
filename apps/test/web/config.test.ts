import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { updateDevJson } from '../../../packages/emulator/src/dev-json.ts';
import type { DevJson } from '../../../packages/emulator/src/dev-json.ts';
import { ensureLocalTls } from '../../../packages/emulator/src/tls/local-ca.ts';
import { loadWebConfig } from '../../web/config.ts';

const TENANT = '11111111-2222-4333-8444-555555555555';
const CLIENT = '66666666-7777-4888-9999-000000000000';
let dataDir: string;
let emptyDir: string;

const DEV: DevJson = {
  emulator: { url: 'https://localhost:9443', caFile: '/tmp/ca.pem' },
  tenantId: TENANT,
  authority: `https://localhost:9443/${TENANT}`,
  graphBaseUrl: 'https://localhost:9443/v1.0',
  apps: {
    web: { clientId: CLIENT, clientSecret: 'dev-secret', redirectUri: 'http://localhost:5000/auth/callback' },
    api: { clientId: TENANT, clientSecret: 'x', scope: `api://${TENANT}/user_impersonation` },
  },
  users: [],
};

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'entrakit-web-config-'));
  emptyDir = await mkdtemp(join(tmpdir(), 'entrakit-web-config-empty-'));
  await updateDevJson(dataDir, DEV);
});
after(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(emptyDir, { recursive: true, force: true });
});

async function refusal(env: Record<string, string>, dir = emptyDir): Promise<{ variable: string; message: string; code: string }> {
  try {
    await loadWebConfig({ env, dataDir: dir });
  } catch (error) {
    const e = error as { code: string; message: string; variable: string };
    return { variable: e.variable, message: e.message, code: e.code };
  }
  assert.fail('expected the configuration to be refused');
}

const REAL = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: 's3cret' };
/** The same registration under the app's older names, as existing .env files have it. */
const OLDER = { ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_ID: CLIENT, ENTRA_CLIENT_SECRET: 's3cret' };

describe('loadWebConfig', () => {
  it('takes the emulator demo app from dev.json when nothing is set', async () => {
    const config = await loadWebConfig({ env: {}, dataDir });
    assert.equal(config.registrationSource, 'dev.json');
    assert.equal(config.clientId, CLIENT);
    assert.equal(config.instance, 'https://localhost:9443');
    assert.equal(config.authority, `https://localhost:9443/${TENANT}`);
    assert.deepEqual(config.credential, { kind: 'secret', secret: 'dev-secret' });
    assert.equal(config.caFile, '/tmp/ca.pem');
    assert.equal(config.apiScope, `api://${TENANT}/user_impersonation`);
    assert.equal(config.redirectUri, 'http://localhost:5000/auth/callback');
    assert.equal(config.port, 5000);
    assert.equal(config.storeUrl, `sqlite:${join(dataDir, 'web.db')}`);
  });

  it('generates the token cache key once, 0600, and reuses it; no other secret is generated', async () => {
    const first = await loadWebConfig({ env: {}, dataDir });
    const second = await loadWebConfig({ env: {}, dataDir });
    assert.equal(first.tokenCacheKey.length, 32);
    assert.deepEqual(first.tokenCacheKey, second.tokenCacheKey);
    assert.equal((await stat(join(dataDir, 'web', 'token-cache.key'))).mode & 0o777, 0o600);
    assert.ok(!(await readdir(join(dataDir, 'web'))).includes('session.secret'), 'no unused session secret is written');
  });

  it('accepts SESSION_SECRET from older setups and says it is unused', async () => {
    for (const value of ['x'.repeat(32), 'short']) {
      const config = await loadWebConfig({ env: { ...REAL, SESSION_SECRET: value }, dataDir: emptyDir });
      assert.ok(config.warnings.some((w) => /^SESSION_SECRET is no longer used/.test(w)), config.warnings.join('\n'));
    }
    const without = await loadWebConfig({ env: REAL, dataDir: emptyDir });
    assert.ok(!without.warnings.some((w) => /SESSION_SECRET/.test(w)), without.warnings.join('\n'));
  });

  it('needs only tenant, client id and secret for real Entra', async () => {
    const config = await loadWebConfig({ env: REAL, dataDir: emptyDir });
    assert.equal(config.registrationSource, 'environment');
    assert.equal(config.instance, 'https://login.microsoftonline.com');
    assert.equal(config.discoveryUrl, `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`);
    assert.equal(config.caFile, undefined);
  });

  it('still reads the older ENTRA_* names, AZURE_AUTHORITY_HOST and its older name ENTRA_INSTANCE alike', async () => {
    const older = await loadWebConfig({ env: { ...OLDER, ENTRA_INSTANCE: 'https://login.example.com/' }, dataDir: emptyDir });
    const current = await loadWebConfig({ env: { ...REAL, AZURE_AUTHORITY_HOST: 'https://login.example.com/' }, dataDir: emptyDir });
    for (const config of [older, current]) {
      assert.equal(config.clientId, CLIENT);
      assert.equal(config.tenantId, TENANT);
      assert.deepEqual(config.credential, { kind: 'secret', secret: 's3cret' });
      assert.equal(config.authority, `https://login.example.com/${TENANT}`);
      assert.deepEqual(config.warnings.filter((w) => w.includes('ENTRA_')), []);
    }
  });

  it('accepts an old and a new name set to the same value (ids and hosts in any case, a URL with or without its slash)', async () => {
    const env = { ...REAL, ...OLDER, ENTRA_CLIENT_ID: CLIENT.toUpperCase(), AZURE_AUTHORITY_HOST: 'https://login.example.com', ENTRA_INSTANCE: 'https://LOGIN.example.com/' };
    const config = await loadWebConfig({ env, dataDir: emptyDir });
    assert.equal(config.clientId, CLIENT);
  });

  it('reads AZURE_CLIENT_CERTIFICATE_PATH: one PEM holding the key and the certificate', async () => {
    const tls = await ensureLocalTls(emptyDir);
    const pem = join(emptyDir, 'client.pem');
    await writeFile(pem, (await readFile(tls.keyFile, 'utf8')) + (await readFile(tls.certFile, 'utf8')), { mode: 0o600 });
    const config = await loadWebConfig({ env: { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_CERTIFICATE_PATH: pem }, dataDir: emptyDir });
    assert.equal(config.credential.kind, 'certificate');
    const keyOnly = await refusal({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_CERTIFICATE_PATH: tls.keyFile });
    assert.equal(keyOnly.variable, 'AZURE_CLIENT_CERTIFICATE_PATH');
    assert.match(keyOnly.message, /^AZURE_CLIENT_CERTIFICATE_PATH must hold a PEM X\.509 certificate/);
  });

  it('reads a certificate credential and its SHA-256 thumbprint (older names: two files)', async () => {
    const tls = await ensureLocalTls(emptyDir);
    const config = await loadWebConfig({
      env: { ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_ID: CLIENT, ENTRA_CLIENT_CERTIFICATE_FILE: tls.certFile, ENTRA_CLIENT_CERTIFICATE_KEY_FILE: tls.keyFile },
      dataDir: emptyDir,
    });
    assert.equal(config.credential.kind, 'certificate');
    assert.match(config.credential.kind === 'certificate' ? config.credential.thumbprintSha256 : '', /^[0-9a-f]{64}$/);
  });

  it('warns about unknown ENTRA_/WEB_ variables and treats empty values as unset', async () => {
    const config = await loadWebConfig({ env: { ...REAL, ENTRA_CLIENTID: 'x', WEB_BASEURL: 'y', ENTRA_CA_FILE: '', OTHER: 'z' }, dataDir: emptyDir });
    assert.equal(config.warnings.filter((w) => /ENTRA_CLIENTID|WEB_BASEURL/.test(w)).length, 2);
    assert.ok(!config.warnings.some((w) => w.includes('OTHER')));
  });

  const refusals: Array<[string, Record<string, string>, string, RegExp]> = [
    ['a client id that is not a GUID', { ...REAL, AZURE_CLIENT_ID: 'my-app' }, 'AZURE_CLIENT_ID', /^AZURE_CLIENT_ID must be a GUID/],
    ['an older client id that is not a GUID', { ...OLDER, ENTRA_CLIENT_ID: 'my-app' }, 'ENTRA_CLIENT_ID', /^ENTRA_CLIENT_ID must be a GUID/],
    ['a bad tenant', { ...REAL, AZURE_TENANT_ID: 'not a tenant' }, 'AZURE_TENANT_ID', /^AZURE_TENANT_ID must be/],
    ['a bad older tenant', { ...OLDER, ENTRA_TENANT_ID: 'not a tenant' }, 'ENTRA_TENANT_ID', /^ENTRA_TENANT_ID must be/],
    ['an http authority host', { ...REAL, AZURE_AUTHORITY_HOST: 'http://login.example' }, 'AZURE_AUTHORITY_HOST', /^AZURE_AUTHORITY_HOST must be an https origin/],
    ['an http instance', { ...OLDER, ENTRA_INSTANCE: 'http://login.example' }, 'ENTRA_INSTANCE', /^ENTRA_INSTANCE must be an https origin/],
    ['two client ids', { ...REAL, ENTRA_CLIENT_ID: TENANT }, 'AZURE_CLIENT_ID', /^AZURE_CLIENT_ID and ENTRA_CLIENT_ID \(its older name\) are both set, to different values/],
    ['two tenants', { ...REAL, ENTRA_TENANT_ID: 'contoso.onmicrosoft.com' }, 'AZURE_TENANT_ID', /^AZURE_TENANT_ID and ENTRA_TENANT_ID/],
    ['two secrets', { ...REAL, ENTRA_CLIENT_SECRET: 'other' }, 'AZURE_CLIENT_SECRET', /^AZURE_CLIENT_SECRET and ENTRA_CLIENT_SECRET/],
    ['two secrets differing in case only', { ...REAL, ENTRA_CLIENT_SECRET: 'S3CRET' }, 'AZURE_CLIENT_SECRET', /^AZURE_CLIENT_SECRET and ENTRA_CLIENT_SECRET/],
    ['two authority hosts', { ...REAL, AZURE_AUTHORITY_HOST: 'https://a.example', ENTRA_INSTANCE: 'https://b.example' }, 'AZURE_AUTHORITY_HOST', /^AZURE_AUTHORITY_HOST and ENTRA_INSTANCE/],
    ['two certificates', { ...REAL, AZURE_CLIENT_SECRET: '', AZURE_CLIENT_CERTIFICATE_PATH: '/a.pem', ENTRA_CLIENT_CERTIFICATE_FILE: '/b.pem' }, 'AZURE_CLIENT_CERTIFICATE_PATH', /^AZURE_CLIENT_CERTIFICATE_PATH and ENTRA_CLIENT_CERTIFICATE_FILE/],
    ['a secret and a certificate', { ...REAL, AZURE_CLIENT_CERTIFICATE_PATH: '/a.pem' }, 'AZURE_CLIENT_SECRET', /^AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH are exclusive/],
    ['an unreadable certificate file', { ...REAL, AZURE_CLIENT_SECRET: '', AZURE_CLIENT_CERTIFICATE_PATH: '/nope.pem' }, 'AZURE_CLIENT_CERTIFICATE_PATH', /^AZURE_CLIENT_CERTIFICATE_PATH names/],
    ['a base URL with a path', { ...REAL, WEB_BASE_URL: 'http://localhost:5000/app' }, 'WEB_BASE_URL', /^WEB_BASE_URL must be/],
    ['a short token cache key', { ...REAL, TOKEN_CACHE_KEY: 'c2hvcnQ=' }, 'TOKEN_CACHE_KEY', /^TOKEN_CACHE_KEY must be 32 bytes/],
    ['an unknown store', { ...REAL, STORE_URL: 'mongodb://x' }, 'STORE_URL', /^STORE_URL must be/],
    ['a bad allow-list', { ...REAL, ENTRA_ALLOWED_TENANTS: 'contoso.com' }, 'ENTRA_ALLOWED_TENANTS', /^ENTRA_ALLOWED_TENANTS must be/],
    ['a zero idle timeout', { ...REAL, SESSION_IDLE_MINUTES: '0' }, 'SESSION_IDLE_MINUTES', /^SESSION_IDLE_MINUTES must be between/],
    ['no app and no dev.json', {}, 'AZURE_CLIENT_ID', /^AZURE_CLIENT_ID is not set and .*dev\.json was not found/],
    ['a client id without tenant', { AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: 'x' }, 'AZURE_TENANT_ID', /^AZURE_TENANT_ID is required/],
    ['an older client id without tenant', { ENTRA_CLIENT_ID: CLIENT, ENTRA_CLIENT_SECRET: 'x' }, 'AZURE_TENANT_ID', /^AZURE_TENANT_ID is required/],
    ['a client id without credential', { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT }, 'AZURE_CLIENT_SECRET', /^AZURE_CLIENT_SECRET \(or/],
    ['a secret without client id', { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_SECRET: 'x' }, 'AZURE_CLIENT_ID', /^AZURE_CLIENT_ID is required when a client credential/],
    ['a certificate without its key', { ...OLDER, ENTRA_CLIENT_SECRET: '', ENTRA_CLIENT_CERTIFICATE_FILE: '/nope.pem' }, 'ENTRA_CLIENT_CERTIFICATE_KEY_FILE', /^ENTRA_CLIENT_CERTIFICATE_KEY_FILE is required/],
    ['an unreadable certificate', { ...OLDER, ENTRA_CLIENT_SECRET: '', ENTRA_CLIENT_CERTIFICATE_FILE: '/nope.pem', ENTRA_CLIENT_CERTIFICATE_KEY_FILE: '/nope.key' }, 'ENTRA_CLIENT_CERTIFICATE_FILE', /^ENTRA_CLIENT_CERTIFICATE_FILE names/],
  ];
  for (const [what, env, variable, message] of refusals) {
    it(`refuses ${what}, naming ${variable}`, async () => {
      const error = await refusal(env);
      assert.equal(error.code, 'WEB_CONFIG_INVALID');
      assert.equal(error.variable, variable);
      assert.match(error.message, message);
    });
  }
});
