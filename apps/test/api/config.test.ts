import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadApiConfig } from '../../api/config.ts';
import { updateDevJson } from '../../../packages/emulator/src/dev-json.ts';
import type { DevJson } from '../../../packages/emulator/src/dev-json.ts';
import { isEntrakitError } from '../../../packages/entrakit/src/core/errors.ts';

const TENANT = '11111111-2222-4333-8444-555555555555';
const API_ID = '66666666-7777-4888-9999-000000000000';

async function configError(env: Record<string, string>, dataDir: string): Promise<{ message: string; variables: string[] }> {
  try {
    await loadApiConfig({ env, dataDir });
  } catch (error) {
    assert.ok(isEntrakitError(error, 'API_CONFIG_INVALID'), String(error));
    return { message: error.message, variables: error.details?.['variables'] as string[] };
  }
  throw new Error('expected API_CONFIG_INVALID');
}

describe('API configuration', () => {
  let dir: string;
  let empty: string;
  let caFile: string;
  const dev: DevJson = {
    emulator: { url: 'https://localhost:8443', caFile: '' },
    tenantId: TENANT,
    authority: `https://localhost:8443/${TENANT}`,
    graphBaseUrl: 'https://localhost:8443/v1.0',
    apps: {
      web: { clientId: 'web', clientSecret: 'web-secret', redirectUri: 'http://localhost:5000/auth/callback' },
      api: { clientId: API_ID, clientSecret: 'api-secret', scope: `api://${API_ID}/user_impersonation` },
    },
    users: [],
    storage: { blobUrl: 'https://127.0.0.1:10000/devstoreaccount1' },
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'entrakit-api-config-'));
    empty = await mkdtemp(join(tmpdir(), 'entrakit-api-config-empty-'));
    caFile = join(dir, 'ca.pem');
    await writeFile(caFile, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    await updateDevJson(dir, { ...dev, emulator: { ...dev.emulator, caFile } });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(empty, { recursive: true, force: true });
  });

  it('defaults everything to the emulator in DATA/dev.json', async () => {
    const config = await loadApiConfig({ env: {}, dataDir: dir });
    assert.deepEqual(config, {
      instance: 'https://localhost:8443',
      tenantId: TENANT,
      authority: `https://localhost:8443/${TENANT}`,
      discoveryUrl: `https://localhost:8443/${TENANT}/v2.0/.well-known/openid-configuration`,
      clientId: API_ID,
      credential: { kind: 'secret', secret: 'api-secret' },
      audiences: [API_ID, `api://${API_ID}`],
      allowedTenants: [TENANT],
      caFile,
      graphBaseUrl: 'https://localhost:8443/v1.0',
      storage: { blobUrl: 'https://127.0.0.1:10000/devstoreaccount1', container: 'stories' },
      port: 5001,
      host: '127.0.0.1',
      dataDir: dir,
    });
  });

  it('reads ENTRAKIT_DATA, and lets variables override dev.json', async () => {
    const config = await loadApiConfig({
      env: { ENTRAKIT_DATA: dir, PORT: '6001', HOST: '0.0.0.0', API_AUDIENCES: 'a, api://b', API_ALLOWED_TENANTS: 't1,t2', STORAGE_CONTAINER: 'tales', API_CLIENT_SECRET: 'other' },
    });
    assert.equal(config.dataDir, dir);
    assert.equal(config.port, 6001);
    assert.equal(config.host, '0.0.0.0');
    assert.deepEqual(config.audiences, ['a', 'api://b']);
    assert.deepEqual(config.allowedTenants, ['t1', 't2']);
    assert.equal(config.storage.container, 'tales');
    assert.deepEqual(config.credential, { kind: 'secret', secret: 'other' });
  });

  it('ignores dev.json for another instance (real Entra) and asks for what is missing, by name', async () => {
    const { message, variables } = await configError({ AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com' }, dir);
    assert.deepEqual(variables.sort(), ['API_CLIENT_ID', 'API_CLIENT_SECRET', 'AZURE_TENANT_ID']);
    assert.match(message, /AZURE_TENANT_ID is required/);
    assert.match(message, /API_CLIENT_SECRET or API_CLIENT_CERTIFICATE_FILE is required/);
  });

  it('builds a real-Entra configuration from tenant, client id and secret only', async () => {
    const config = await loadApiConfig({ env: { AZURE_TENANT_ID: 'organizations', API_CLIENT_ID: API_ID, API_CLIENT_SECRET: 's' }, dataDir: empty });
    assert.equal(config.authority, 'https://login.microsoftonline.com/organizations');
    assert.equal(config.graphBaseUrl, 'https://graph.microsoft.com/v1.0');
    assert.equal(config.allowedTenants, undefined);
    assert.equal(config.caFile, undefined);
    assert.equal(config.storage.blobUrl, undefined);
  });

  it('names each invalid variable', async () => {
    const base = { AZURE_TENANT_ID: TENANT, API_CLIENT_ID: API_ID, API_CLIENT_SECRET: 's' };
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ AZURE_AUTHORITY_HOST: 'http://login.example' }, 'AZURE_AUTHORITY_HOST', /AZURE_AUTHORITY_HOST must be an https URL/],
      [{ PORT: 'eighty' }, 'PORT', /PORT must be a port number/],
      [{ PORT: '70000' }, 'PORT', /PORT must be a port number from 0 to 65535/],
      [{ STORAGE_BLOB_URL: 'http://127.0.0.1:10000/devstoreaccount1' }, 'STORAGE_BLOB_URL', /STORAGE_BLOB_URL must be an https URL/],
      [{ STORAGE_CONTAINER: 'Bad_Name' }, 'STORAGE_CONTAINER', /STORAGE_CONTAINER must be a blob container name/],
      [{ AZURE_TENANT_ID: 'a/b' }, 'AZURE_TENANT_ID', /AZURE_TENANT_ID must be a tenant GUID/],
      [{ API_AUDIENCES: ' , ' }, 'API_AUDIENCES', /API_AUDIENCES must list at least one value/],
      [{ ENTRA_CA_FILE: join(empty, 'missing.pem') }, 'ENTRA_CA_FILE', /ENTRA_CA_FILE names a file that cannot be read/],
      [{ API_CLIENT_CERTIFICATE_FILE: join(empty, 'missing.pem') }, 'API_CLIENT_CERTIFICATE_FILE', /API_CLIENT_CERTIFICATE_FILE names a file/],
    ];
    for (const [override, variable, pattern] of cases) {
      const { message, variables } = await configError({ ...base, ...override }, empty);
      assert.deepEqual(variables, [variable], variable);
      assert.match(message, pattern);
    }
  });

  it('reads the older names ENTRA_INSTANCE and ENTRA_TENANT_ID, and refuses either set apart from its new name', async () => {
    const older = await loadApiConfig({ env: { ENTRA_INSTANCE: 'https://login.microsoftonline.us/', ENTRA_TENANT_ID: TENANT, API_CLIENT_ID: API_ID, API_CLIENT_SECRET: 's' }, dataDir: empty });
    assert.equal(older.authority, `https://login.microsoftonline.us/${TENANT}`);
    const same = await loadApiConfig({ env: { AZURE_TENANT_ID: 'Contoso.onmicrosoft.com', ENTRA_TENANT_ID: 'contoso.onmicrosoft.com', API_CLIENT_ID: API_ID, API_CLIENT_SECRET: 's' }, dataDir: empty });
    assert.equal(same.tenantId, 'Contoso.onmicrosoft.com');
    for (const [current, older] of [['AZURE_TENANT_ID', 'ENTRA_TENANT_ID'], ['AZURE_AUTHORITY_HOST', 'ENTRA_INSTANCE']] as const) {
      const values = current === 'AZURE_TENANT_ID' ? ['organizations', TENANT] : ['https://login.microsoftonline.com', 'https://login.microsoftonline.us'];
      const { message, variables } = await configError({ AZURE_TENANT_ID: TENANT, API_CLIENT_ID: API_ID, API_CLIENT_SECRET: 's', [current]: values[0]!, [older]: values[1]! }, empty);
      assert.deepEqual(variables, [current]);
      assert.match(message, new RegExp(`${current} and ${older} \\(its older name\\) are both set, to different values`));
    }
  });

  it('treats empty variables as unset', async () => {
    const config = await loadApiConfig({ env: { PORT: '', API_CLIENT_ID: '  ' }, dataDir: dir });
    assert.equal(config.port, 5001);
    assert.equal(config.clientId, API_ID);
  });
});
