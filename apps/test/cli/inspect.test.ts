/**
 * `entrakit inspect` as a user runs it: a child process against the real emulator, trusting the
 * emulator's CA only through the data folder (--data), never through this test process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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

  it('has --version', async () => {
    const { code, out } = await entrakit(['--version']);
    assert.equal(code, 0);
    assert.equal(out, 'entrakit 0.2.0\n');
  });
});
