/**
 * Unmodified Python azure-identity (Debian's python3-azure) ManagedIdentityCredential against the
 * emulator: the child process gets only the variables Azure would set (IDENTITY_ENDPOINT and
 * IDENTITY_HEADER, or AZURE_POD_IDENTITY_AUTHORITY_HOST for IMDS) plus REQUESTS_CA_BUNDLE.
 * Tokens it obtains are verified here against the emulator's JWKS.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { API_APP_ID, DEMO_MANAGED_IDENTITIES } from '../../src/seed/demo-tenant.ts';
import { startInteropEnv, type InteropEnv } from '../interop/interop-env.ts';
import { baseEnv, findPythonWith } from '../interop/python-runner.ts';

const SCRIPT = fileURLToPath(new URL('./azure_identity_python_client.py', import.meta.url));
const GRAPH = 'https://graph.microsoft.com';

const python = findPythonWith('azure.identity', 20_000);
const skip = python ? false : 'python3-azure not installed: apt-get install -y python3-azure';

type PythonResult = { token: string; expires_on: number } | { error: string; message: string };

/** Runs the driver with `vars` added to the fixed environment; one result per request, in order. */
function runPython(vars: Record<string, string>, requests: string[]): Promise<PythonResult[]> {
  assert.ok(python);
  const child = spawn(python, [SCRIPT, ...requests], { env: { ...baseEnv(), ...vars }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 40_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code !== 0) reject(new Error(`azure_identity_python_client.py exited with ${code ?? signal}:\n${stderr}`));
      else resolve(stdout.trim().split('\n').map((line) => JSON.parse(line) as PythonResult));
    });
  });
}

function token(result: PythonResult | undefined): { token: string; expires_on: number } {
  assert.ok(result && 'token' in result, `a token, got ${JSON.stringify(result)}`);
  return result;
}

describe('Python azure-identity ManagedIdentityCredential against the emulator', { skip, timeout: 120_000 }, () => {
  let env: InteropEnv;
  before(async () => {
    env = await startInteropEnv();
  });
  after(() => env?.close());

  /** The system-assigned identity's Graph token: app-only, its resource id, User.Read.All. */
  async function assertSystemGraphToken(result: PythonResult | undefined): Promise<void> {
    const { token: jwt, expires_on } = token(result);
    const claims = await env.verifyGraph(jwt, GRAPH);
    assert.equal(claims['aud'], GRAPH);
    assert.equal(claims['idtyp'], 'app');
    assert.equal(claims['oid'], DEMO_MANAGED_IDENTITIES.system.principalId);
    assert.equal(claims['appid'], DEMO_MANAGED_IDENTITIES.system.clientId);
    assert.equal(claims['xms_mirid'], DEMO_MANAGED_IDENTITIES.system.resourceId);
    assert.deepEqual(claims['roles'], ['User.Read.All']);
    assert.equal(expires_on, claims['exp'], 'expires_on is the token\'s exp (epoch seconds)');
    assert.ok(expires_on > Date.now() / 1000 + 60, 'expires_on is in the future');
  }

  /** The user-assigned identity's token for the demo API: v2, its resource id, Api.Admin. */
  async function assertUserApiToken(result: PythonResult | undefined): Promise<void> {
    const { token: jwt, expires_on } = token(result);
    const claims = await env.verify(jwt, { issuer: env.v2Issuer, audience: API_APP_ID });
    assert.equal(claims['idtyp'], 'app');
    assert.equal(claims['oid'], DEMO_MANAGED_IDENTITIES.user.principalId);
    assert.equal(claims['azp'], DEMO_MANAGED_IDENTITIES.user.clientId);
    assert.equal(claims['xms_mirid'], DEMO_MANAGED_IDENTITIES.user.resourceId);
    assert.deepEqual(claims['roles'], ['Api.Admin']);
    assert.equal(expires_on, claims['exp']);
    assert.ok(expires_on > Date.now() / 1000 + 60);
  }

  it('App Service protocol: system-assigned (Graph), user-assigned by client_id (API), unknown client_id refused', async () => {
    const mi = env.emulator.devJson.managedIdentity!;
    assert.equal(mi.clientId, DEMO_MANAGED_IDENTITIES.user.clientId);
    const [system, user, unknown] = await runPython(
      { IDENTITY_ENDPOINT: mi.identityEndpoint, IDENTITY_HEADER: mi.identityHeader, REQUESTS_CA_BUNDLE: env.emulator.caFile },
      [`${GRAPH}/.default`, `api://${API_APP_ID}/.default ${mi.clientId!}`, `${GRAPH}/.default 11111111-2222-3333-4444-555555555555`],
    );
    await assertSystemGraphToken(system);
    await assertUserApiToken(user);
    assert.ok(unknown && 'error' in unknown, JSON.stringify(unknown));
    assert.equal(unknown.error, 'ClientAuthenticationError');
    assert.match(unknown.message, /"error":"invalid_request","error_description":"Identity not found"/);
  });

  it('IMDS through AZURE_POD_IDENTITY_AUTHORITY_HOST: system-assigned (Graph) and user-assigned by client_id (API)', async () => {
    const mi = env.emulator.devJson.managedIdentity!;
    const [system, user] = await runPython(
      { AZURE_POD_IDENTITY_AUTHORITY_HOST: mi.imdsEndpoint, REQUESTS_CA_BUNDLE: env.emulator.caFile },
      [`${GRAPH}/.default`, `api://${API_APP_ID}/.default ${mi.clientId!}`],
    );
    await assertSystemGraphToken(system);
    await assertUserApiToken(user);
  });
});
