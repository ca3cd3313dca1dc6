import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { stableGuid } from '../../src/directory/ids.ts';
import { ADELE_ID, registerTestApp, startTestEmulator, TENANT_ID, type TestEmulator } from './helpers.ts';

// grant_type=password (ROPC) on the wire, as Entra answers it.

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator();
});
after(() => t.close());

function user(alias: string): { username: string; password: string } {
  const found = t.emulator.devJson.users.find((u) => u.username.startsWith(`${alias}@`));
  assert.ok(found, alias);
  return found;
}

function graphClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

describe('password grant (ROPC)', () => {
  it('a public client (Azure CLI): tokens for Graph with every scope granted, an ID token and a refresh token', async () => {
    const cli = t.emulator.devJson.apps.cli!;
    const adele = user('adele');
    const reply = await t.post({ grant_type: 'password', client_id: cli.clientId, username: adele.username, password: adele.password, scope: 'User.Read openid profile offline_access' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(typeof reply.body['refresh_token'], 'string');
    assert.equal(typeof reply.body['id_token'], 'string');
    assert.equal(typeof reply.body['client_info'], 'string');
    const claims = graphClaims(reply.body['access_token'] as string);
    assert.equal(claims['oid'], ADELE_ID);
    assert.equal(claims['appidacr'], '0');
    assert.deepEqual(claims['amr'], ['pwd']);
    assert.equal(reply.headers.get('cache-control'), 'no-store');
  });

  it('a confidential client with its secret; without it AADSTS7000218', async () => {
    const web = t.emulator.devJson.apps.web;
    const adele = user('adele');
    const form = { grant_type: 'password', client_id: web.clientId, username: adele.username, password: adele.password, scope: 'User.Read openid profile' };
    const ok = await t.post({ ...form, client_secret: web.clientSecret });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(graphClaims(ok.body['access_token'] as string)['appidacr'], '1');
    const missing = await t.post(form);
    assert.equal(missing.status, 401);
    assert.equal(missing.body['error'], 'invalid_client');
    assert.deepEqual(missing.body['error_codes'], [7000218]);
  });

  it('wrong password AADSTS50126, unknown user AADSTS50034 (both invalid_grant)', async () => {
    const cli = t.emulator.devJson.apps.cli!;
    const adele = user('adele');
    const wrong = await t.post({ grant_type: 'password', client_id: cli.clientId, username: adele.username, password: `${adele.password}x`, scope: 'User.Read' });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body['error'], 'invalid_grant');
    assert.ok((wrong.body['error_description'] as string).startsWith('AADSTS50126: Error validating credentials due to invalid username or password.'));
    const unknown = await t.post({ grant_type: 'password', client_id: cli.clientId, username: 'nobody@entrakitdemo.onmicrosoft.com', password: 'x', scope: 'User.Read' });
    assert.equal(unknown.body['error'], 'invalid_grant');
    assert.deepEqual(unknown.body['error_codes'], [50034]);
    const log = t.emulator.deps.requestLog.list({ clientId: cli.clientId, endpoint: 'token' }).find((e) => e.aadsts === 50126);
    assert.ok(log?.why.some((w) => w.includes('password')), JSON.stringify(log?.why));
  });

  it('MFA required: AADSTS50076 invalid_grant with suberror basic_action; a disabled account: AADSTS50057', async () => {
    const cli = t.emulator.devJson.apps.cli!;
    const directory = t.emulator.deps.directory;
    const alex = user('alex');
    const alexId = stableGuid('user:alex');
    directory.stepUp.setMfaMethod(alexId, { totpSecret: 'JBSWY3DPEHPK3PXP', required: true });
    const mfa = await t.post({ grant_type: 'password', client_id: cli.clientId, username: alex.username, password: alex.password, scope: 'User.Read' });
    assert.equal(mfa.status, 400);
    assert.equal(mfa.body['error'], 'invalid_grant');
    assert.equal(mfa.body['suberror'], 'basic_action');
    assert.deepEqual(mfa.body['error_codes'], [50076]);

    const nestor = user('nestor');
    const stored = directory.objects.get('user', stableGuid('user:nestor'))!;
    directory.objects.update('user', stored.value.userPrincipalName, { ...stored.value, accountEnabled: false });
    const disabled = await t.post({ grant_type: 'password', client_id: cli.clientId, username: nestor.username, password: nestor.password, scope: 'User.Read' });
    assert.equal(disabled.body['error'], 'invalid_grant');
    assert.deepEqual(disabled.body['error_codes'], [50057]);
    // The wrong password still says 50126 for a disabled account: the password is checked first.
    const wrong = await t.post({ grant_type: 'password', client_id: cli.clientId, username: nestor.username, password: 'nope', scope: 'User.Read' });
    assert.deepEqual(wrong.body['error_codes'], [50126]);
  });

  it('consent cannot be asked: AADSTS65001 for a scope nobody granted', async () => {
    const { app } = registerTestApp(t.emulator, { isFallbackPublicClient: true, web: { redirectUris: [], logoutUrl: null } });
    const adele = user('adele');
    const reply = await t.post({ grant_type: 'password', client_id: app.appId, username: adele.username, password: adele.password, scope: 'User.Read openid profile' });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.body['error_codes'], [65001]);
    assert.equal(reply.body['suberror'], 'consent_required');
  });

  it('/organizations finds the tenant from the username', async () => {
    const cli = t.emulator.devJson.apps.cli!;
    const adele = user('adele');
    const reply = await t.post({ grant_type: 'password', client_id: cli.clientId, username: adele.username, password: adele.password, scope: 'User.Read' }, {}, 'organizations');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(graphClaims(reply.body['access_token'] as string)['tid'], TENANT_ID);
  });
});

describe('Entra scope rules on the token endpoint', () => {
  it('scopes are additive: a CLI token asked for Application.ReadWrite.All carries every granted scope, and GET /me works', async () => {
    const cli = t.emulator.devJson.apps.cli!;
    const admin = t.emulator.devJson.admin!;
    const reply = await t.post({ grant_type: 'password', client_id: cli.clientId, username: admin.username, password: admin.password, scope: 'https://graph.microsoft.com/Application.ReadWrite.All' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const scp = String(graphClaims(reply.body['access_token'] as string)['scp']).split(' ');
    assert.ok(scp.includes('Application.ReadWrite.All') && scp.includes('User.Read'), scp.join(' '));
    const echoed = String(reply.body['scope']).split(' ');
    assert.equal(echoed[0], 'https://graph.microsoft.com/Application.ReadWrite.All');
    assert.ok(echoed.includes('https://graph.microsoft.com/User.Read'), echoed.join(' '));
    const me = await fetch(`${t.emulator.url}/v1.0/me`, { headers: { authorization: `Bearer ${reply.body['access_token'] as string}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { userPrincipalName: string }).userPrincipalName, admin.username);
  });

  it('a public client presenting a secret: AADSTS700025, not 7000215', async () => {
    const cli = t.emulator.devJson.apps.cli!;
    const adele = user('adele');
    const reply = await t.post({ grant_type: 'password', client_id: cli.clientId, client_secret: 'anything', username: adele.username, password: adele.password, scope: 'User.Read' });
    assert.equal(reply.status, 401);
    assert.equal(reply.body['error'], 'invalid_client');
    assert.ok((reply.body['error_description'] as string).startsWith("AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented."));
  });

  it('.default for an API the registration does not list and nobody granted: AADSTS650057', async () => {
    const { app } = registerTestApp(t.emulator, { isFallbackPublicClient: true, web: { redirectUris: [], logoutUrl: null } });
    const adele = user('adele');
    const api = t.emulator.devJson.apps.api;
    const reply = await t.post({ grant_type: 'password', client_id: app.appId, username: adele.username, password: adele.password, scope: `api://${api.clientId}/.default` });
    assert.equal(reply.status, 401);
    assert.deepEqual(reply.body['error_codes'], [650057]);
    // Graph's .default for an app with no permissions: a token with the OIDC scopes, not a refusal.
    const graph = await t.post({ grant_type: 'password', client_id: app.appId, username: adele.username, password: adele.password, scope: 'https://graph.microsoft.com/.default openid profile' });
    assert.equal(graph.status, 200, JSON.stringify(graph.body));
    assert.equal(graphClaims(graph.body['access_token'] as string)['appid'], app.appId);
  });
});

describe('password grant on /common', () => {
  it('is accepted (looser than Entra, which documents tenant and /organizations authorities) and the request log says so', async () => {
    const cli = t.emulator.devJson.apps.cli!;
    const adele = user('adele');
    const reply = await t.post({ grant_type: 'password', client_id: cli.clientId, username: adele.username, password: adele.password, scope: 'User.Read' }, {}, 'common');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const logged = t.emulator.deps.requestLog.list({ endpoint: 'token', limit: 1 })[0];
    assert.ok(logged?.why.some((line) => line.startsWith('password grant on /common')), JSON.stringify(logged?.why));
    const onTenant = await t.post({ grant_type: 'password', client_id: cli.clientId, username: adele.username, password: adele.password, scope: 'User.Read' });
    assert.equal(onTenant.status, 200);
    assert.ok(!t.emulator.deps.requestLog.list({ endpoint: 'token', limit: 1 })[0]?.why.some((line) => line.startsWith('password grant on /common')));
  });
});
