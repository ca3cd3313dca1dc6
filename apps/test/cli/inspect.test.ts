/**
 * `entrakit inspect` as a user runs it: a child process against the real emulator, trusting the
 * emulator's CA only through the data folder (--data), never through this test process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApiTestEnv } from '../api/helpers/api-test-env.ts';
import type { ApiTestEnv } from '../api/helpers/api-test-env.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'cli', 'main.ts');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(ENTRA_|ENTRAKIT_DATA$|NODE_EXTRA_CA_CERTS$|NODE_TEST_CONTEXT$)/.test(name)));
}

async function entrakit(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--conditions=entrakit-source', MAIN, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  return { code, out };
}

describe('entrakit inspect', () => {
  let env: ApiTestEnv;
  let discovery: string;
  before(async () => {
    env = await startApiTestEnv();
    discovery = `${env.issuer}/.well-known/openid-configuration`;
  });
  after(async () => {
    await env?.stop();
  });

  it('takes a pasted "Bearer …", names the kind, prints dates, and checks the signature with the data folder\'s CA', async () => {
    const claims = env.userClaims('adele');
    const token = await env.sign(claims);
    const { code, out } = await entrakit(['inspect', 'Bearer', token, '--discovery', discovery, '--data', env.dataDir]);
    assert.equal(code, 0, out);
    assert.match(out, /^kind {7}Delegated access token v2\.0: the app acting for a user; scp says what it may do$/m);
    assert.match(out, /^signature {2}valid \(key /m);
    assert.match(out, /trusted the emulator CA /);
    assert.match(out, new RegExp(`^ +exp +${new Date(Number(claims.exp) * 1000).toISOString().replace(/\./g, '\\.')} \\(in \\d+s\\) +\\[${String(claims.exp)}\\]`, 'm'));
    assert.match(out, /azpacr +"1" +— How the client authenticated: 0 public, 1 secret, 2 certificate \(v2\)\. Here: client secret/);
    assert.ok(!out.includes(token.split('.')[2]!), 'never prints the signature');
  });

  it('exits 1 when the signature is INVALID', async () => {
    const token = await env.sign(env.userClaims('adele'));
    const [h, p, s] = token.split('.');
    const tampered = `${h}.${b64({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), scp: 'Api.Admin' })}.${s}`;
    const { code, out } = await entrakit(['inspect', `Authorization: Bearer ${tampered}`, '--discovery', discovery, '--data', env.dataDir]);
    assert.equal(code, 1, out);
    assert.match(out, /^signature {2}INVALID: ERR_JWS_SIGNATURE_VERIFICATION_FAILED/m);
    assert.match(out, /entrakit inspect: the signature is INVALID/);
  });

  it('warns on alg "none" and explains the Graph header nonce; knows ID and app-only tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ aud: 'api', azp: 'c', scp: 'x', ver: '2.0', exp: now + 60 })}.`;
    const unsigned = await entrakit(['inspect', none]);
    assert.equal(unsigned.code, 0, unsigned.out);
    assert.match(unsigned.out, /^WARNING {4}alg is "none": the token is unsigned/m);

    const graph = `${b64({ alg: 'RS256', kid: 'k', nonce: 'n' })}.${b64({ aud: '00000003-0000-0000-c000-000000000000', appid: 'c', scp: 'User.Read', ver: '1.0' })}.c2ln`;
    const graphOut = await entrakit(['inspect', graph]);
    assert.match(graphOut.out, /^kind {7}Microsoft Graph access token v1\.0: only Graph can validate it$/m);
    assert.match(graphOut.out, /^WARNING {4}The header has a "nonce": this is a Microsoft Graph token\. Graph hashes the nonce/m);

    const id = await entrakit(['inspect', `${b64({ alg: 'RS256', kid: 'k' })}.${b64({ aud: 'c', oid: 'u', sub: 's', ver: '2.0', nonce: 'n' })}.c2ln`]);
    assert.match(id.out, /^kind {7}ID token \(v2\.0\)/m);
    const app = await entrakit(['inspect', `${b64({ alg: 'RS256', kid: 'k' })}.${b64({ aud: 'api', azp: 'c', roles: ['Api.Admin'], idtyp: 'app', oid: 'sp', sub: 'sp', ver: '2.0' })}.c2ln`]);
    assert.match(app.out, /^kind {7}App-only access token v2\.0/m);
  });

  describe('--policy: an API Management <validate-jwt> or a JSON policy, check by check', () => {
    let dir = '';
    let apim = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'entrakit-inspect-policy-'));
      apim = join(dir, 'policy.xml');
      // The shape of Microsoft's docs: openid-config, audiences, issuers, required-claims.
      await writeFile(apim, `<policies><inbound><base />
  <validate-jwt header-name="Authorization" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized. Access token is missing or invalid.">
    <openid-config url="${discovery}" />
    <audiences><audience>${env.apiClientId}</audience><audience>api://${env.apiClientId}</audience></audiences>
    <issuers><issuer>${env.issuer}</issuer></issuers>
    <required-claims>
      <claim name="scp" match="any" separator=" "><value>user_impersonation</value></claim>
    </required-claims>
  </validate-jwt>
</inbound></policies>`);
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('prints every check as passed and exits 0 for a token the policy accepts', async () => {
      const { code, out } = await entrakit(['inspect', await env.sign(env.userClaims('adele')), '--policy', apim, '--data', env.dataDir]);
      assert.equal(code, 0, out);
      assert.match(out, /^policy {5}.*policy\.xml \(API Management <validate-jwt>\)$/m);
      assert.match(out, /^verdict {4}ACCEPTED$/m);
      for (const check of ['format', 'algorithm', 'issuer', 'signature', 'lifetime', 'audience', 'tenant', 'token claims', 'claim iss any of', 'claim scp any of \\["user_impersonation"\\] \\(split on " "\\)']) {
        assert.match(out, new RegExp(`^  ${check}.* pass$`, 'm'), check);
      }
    });

    it('names the failing check, marks the rest not reached, and exits 1 when refused', async () => {
      const audience = await entrakit(['inspect', await env.sign(env.userClaims('adele', { aud: 'api://someone-else' })), '--policy', apim, '--data', env.dataDir]);
      assert.equal(audience.code, 1, audience.out);
      assert.match(audience.out, /^verdict {4}REFUSED: TOKEN_AUDIENCE_INVALID \(401\) Unauthorized\. Access token is missing or invalid\.$/m);
      assert.match(audience.out, /^ {2}lifetime +pass$/m);
      assert.match(audience.out, /^ {2}audience +FAIL +Unauthorized\./m);
      assert.match(audience.out, /^ {2}tenant +not reached$/m);
      assert.match(audience.out, /entrakit inspect: the token is refused by /);

      const scope = await entrakit(['inspect', await env.sign(env.userClaims('adele', { scp: 'openid' })), '--policy', apim, '--data', env.dataDir]);
      assert.equal(scope.code, 1, scope.out);
      assert.match(scope.out, /^ {2}token claims +pass$/m);
      assert.match(scope.out, /^ {2}claim iss any of .* pass$/m);
      assert.match(scope.out, /^ {2}claim scp any of .* FAIL +the token's scp is "openid"$/m);

      const forged = await env.sign(env.userClaims('adele'));
      const [h, p] = forged.split('.');
      const other = (await env.sign(env.userClaims('alex'))).split('.')[2];
      const signature = await entrakit(['inspect', `${h}.${p}.${other}`, '--policy', apim, '--data', env.dataDir]);
      assert.equal(signature.code, 1, signature.out);
      assert.match(signature.out, /^ {2}issuer +pass$/m);
      assert.match(signature.out, /^ {2}signature +FAIL/m);
      assert.match(signature.out, /^ {2}claim scp .* not reached$/m);
    });

    it('takes a JSON policy too, and refuses an APIM policy it cannot enforce with exit 2', async () => {
      const json = join(dir, 'policy.json');
      await writeFile(json, JSON.stringify({ discoveryUrls: [discovery], audiences: [env.apiClientId], allowedTenants: ['22222222-2222-4222-8222-222222222222'] }));
      const tenant = await entrakit(['inspect', await env.sign(env.userClaims('adele')), '--policy', json, '--data', env.dataDir]);
      assert.equal(tenant.code, 1, tenant.out);
      assert.match(tenant.out, /^ {2}tenant +FAIL +Token tenant is not allowed$/m);

      const unsupported = join(dir, 'unsupported.xml');
      await writeFile(unsupported, `<validate-jwt query-parameter-name="access_token"><openid-config url="${discovery}" /><audiences><audience>x</audience></audiences></validate-jwt>`);
      const refused = await entrakit(['inspect', await env.sign(env.userClaims('adele')), '--policy', unsupported, '--data', env.dataDir]);
      assert.equal(refused.code, 2, refused.out);
      assert.match(refused.out, /cannot be enforced: policyFromApimXml: cannot enforce this <validate-jwt> locally:\n- attribute query-parameter-name/);
    });
  });

  it('has --version', async () => {
    const { code, out } = await entrakit(['--version']);
    assert.equal(code, 0);
    assert.equal(out, 'entrakit 0.2.0\n');
  });
});
