/**
 * The Graph JS SDK and the Kiota Graph SDK, unmodified, manage the directory: create a user and a
 * group, add the member, disable the user. The user signs in through the real login form before
 * and after: afterwards the login answers AADSTS50057, the refresh token is refused with 50057 and
 * Graph answers the CP1 (CAE) token with the insufficient_claims challenge.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Client } from '@microsoft/microsoft-graph-client';
import { AllowedHostsValidator, BaseBearerTokenAuthenticationProvider, HttpMethod, RequestInformation } from '@microsoft/kiota-abstractions';
import { createGraphServiceClient, GraphRequestAdapter } from '@microsoft/msgraph-sdk';
import { createGroupFromDiscriminatorValue, serializeGroup, serializeReferenceCreate, type Group, type ReferenceCreate } from '@microsoft/msgraph-sdk/models/index.js';
import { createODataErrorFromDiscriminatorValue } from '@microsoft/msgraph-sdk/models/oDataErrors/index.js';
import '@microsoft/msgraph-sdk-users';
import { decodeJwt } from 'jose';
import { DEMO_TENANT, WEB_APP_ID } from '../../src/seed/demo-tenant.ts';
import { startGraphTestEnv, type GraphTestEnv } from './helpers/graph-test-env.ts';

const WRITE_ROLES = ['User.ReadWrite.All', 'Group.ReadWrite.All', 'GroupMember.ReadWrite.All'];
const CP1 = JSON.stringify({ access_token: { xms_cc: { values: ['cp1'] } } });

let env: GraphTestEnv;
let writerToken: string;
before(async () => {
  env = await startGraphTestEnv();
  // An app-only token as client credentials would give an app granted these roles.
  writerToken = await env.emulator.admin.mintToken({ kind: 'access', clientId: WEB_APP_ID, resource: 'https://graph.microsoft.com', roles: WRITE_ROLES });
});
after(async () => {
  await env.close();
});

/** The login form of the emulator, as a browser posts it; answers the redirect or the page. */
async function passwordSignIn(username: string, password: string): Promise<{ code?: string; page?: string; verifier: string }> {
  const verifier = createHash('sha256').update(username).digest('base64url') + 'abcdefghijklmnopqrstu';
  const authorize = new URL(`${env.emulator.url}/${DEMO_TENANT.id}/oauth2/v2.0/authorize`);
  const params = {
    client_id: WEB_APP_ID, response_type: 'code', redirect_uri: env.emulator.devJson.apps.web.redirectUri, scope: 'openid profile offline_access User.Read',
    state: 's', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', claims: CP1, prompt: 'login',
  };
  for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
  const form = await fetch(authorize, { redirect: 'manual' });
  const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const html = await form.text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? '';
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
  const posted = await fetch(new URL(action.replaceAll('&amp;', '&'), env.emulator.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: env.emulator.url },
    body: new URLSearchParams({ tx: field('tx'), csrf: field('csrf'), username, password }),
  });
  const location = posted.headers.get('location');
  const code = location ? new URL(location).searchParams.get('code') ?? undefined : undefined;
  return code ? { code, verifier } : { page: await posted.text(), verifier };
}

async function redeem(body: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${env.emulator.url}/${DEMO_TENANT.id}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: WEB_APP_ID, client_secret: env.emulator.devJson.apps.web.clientSecret, ...body }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Signs in with the password; answers the CP1 Graph token and the refresh token. */
async function cp1Tokens(username: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
  const { code, verifier, page } = await passwordSignIn(username, password);
  assert.ok(code, `sign-in of ${username} gave no code: ${page?.slice(0, 300)}`);
  const { status, json } = await redeem({ grant_type: 'authorization_code', code, redirect_uri: env.emulator.devJson.apps.web.redirectUri, code_verifier: verifier, claims: CP1 });
  assert.equal(status, 200, JSON.stringify(json));
  assert.deepEqual(decodeJwt(String(json['access_token']))['xms_cc'], ['cp1']);
  return { accessToken: String(json['access_token']), refreshToken: String(json['refresh_token']) };
}

/** What disabling must do to a user who signed in before. */
async function expectDisabledEverywhere(username: string, password: string, before: { accessToken: string; refreshToken: string }): Promise<void> {
  const me = await fetch(`${env.emulator.url}/v1.0/me`, { headers: { authorization: `Bearer ${before.accessToken}` } });
  assert.equal(me.status, 401);
  const challenge = me.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /error="insufficient_claims"/);
  assert.match(challenge, /claims="[A-Za-z0-9+/=]+"/);
  const refreshed = await redeem({ grant_type: 'refresh_token', refresh_token: before.refreshToken, scope: 'openid profile offline_access User.Read' });
  assert.equal(refreshed.status, 400);
  assert.equal(refreshed.json['error'], 'invalid_grant');
  assert.deepEqual(refreshed.json['error_codes'], [50057]);
  const again = await passwordSignIn(username, password);
  assert.equal(again.code, undefined);
  assert.match(again.page ?? '', /AADSTS50057/);
}

describe('Graph JS SDK (@microsoft/microsoft-graph-client)', () => {
  test('create a user and a group, add the member, disable the user', async () => {
    const client = Client.init({ authProvider: (done) => done(null, writerToken), baseUrl: `${env.emulator.url}/`, customHosts: new Set(['localhost']) });
    const upn = `js-sdk-user@${DEMO_TENANT.domain}`;
    const password = 'Js-sdk-Passw0rd';
    const user = (await client.api('/users').post({
      accountEnabled: true, displayName: 'JS SDK User', mailNickname: 'js-sdk-user', userPrincipalName: upn,
      passwordProfile: { forceChangePasswordNextSignIn: false, password },
    })) as { id: string; userPrincipalName: string };
    assert.equal(user.userPrincipalName, upn);
    const group = (await client.api('/groups').post({ displayName: 'JS SDK Group', mailEnabled: false, mailNickname: 'js-sdk-group', securityEnabled: true })) as { id: string };
    await client.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user.id}` });
    const members = (await client.api(`/groups/${group.id}/members`).get()) as { value: Array<{ id: string }> };
    assert.deepEqual(members.value.map((m) => m.id), [user.id]);
    const memberOf = (await client.api(`/users/${user.id}/transitiveMemberOf`).get()) as { value: Array<{ id: string }> };
    assert.deepEqual(memberOf.value.map((g) => g.id), [group.id]);

    const tokens = await cp1Tokens(upn, password);
    assert.equal((await fetch(`${env.emulator.url}/v1.0/me`, { headers: { authorization: `Bearer ${tokens.accessToken}` } })).status, 200);
    await client.api(`/users/${user.id}`).patch({ accountEnabled: false });
    const read = (await client.api(`/users/${user.id}`).select('accountEnabled').get()) as { accountEnabled: boolean };
    assert.equal(read.accountEnabled, false);
    await expectDisabledEverywhere(upn, password, tokens);

    // Graph errors come back as the SDK's GraphError with Graph's code.
    await assert.rejects(client.api('/users').post({ accountEnabled: true, displayName: 'Dup', mailNickname: 'dup', userPrincipalName: upn, passwordProfile: { password } }), (error: { statusCode: number; code: string; message: string }) => {
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'Request_BadRequest');
      assert.equal(error.message, 'Another object with the same value for property userPrincipalName already exists.');
      return true;
    });
  });
});

/**
 * Groups through the Kiota SDK's own adapter, models and serializers: the fluent groups package
 * (`@microsoft/msgraph-sdk-groups`) is not published, so the request is built as its builder would.
 */
const ERRORS = { XXX: createODataErrorFromDiscriminatorValue };
function kiotaRequest(adapter: GraphRequestAdapter, method: HttpMethod, template: string, parameters: Record<string, string> = {}): RequestInformation {
  const info = new RequestInformation(method, template);
  info.pathParameters = { ...parameters };
  info.headers.tryAdd('Accept', 'application/json');
  return info;
}
async function kiotaCreateGroup(adapter: GraphRequestAdapter, group: Group): Promise<Group | undefined> {
  const info = kiotaRequest(adapter, HttpMethod.POST, '{+baseurl}/groups');
  info.setContentFromParsable(adapter, 'application/json', group, serializeGroup);
  return adapter.send<Group>(info, createGroupFromDiscriminatorValue, ERRORS);
}
async function kiotaAddMember(adapter: GraphRequestAdapter, groupId: string, reference: ReferenceCreate): Promise<void> {
  const info = kiotaRequest(adapter, HttpMethod.POST, '{+baseurl}/groups/{group%2Did}/members/$ref', { 'group%2Did': groupId });
  info.setContentFromParsable(adapter, 'application/json', reference, serializeReferenceCreate);
  await adapter.sendNoResponseContent(info, ERRORS);
}
async function kiotaRemoveMember(adapter: GraphRequestAdapter, groupId: string, memberId: string): Promise<void> {
  const info = kiotaRequest(adapter, HttpMethod.DELETE, '{+baseurl}/groups/{group%2Did}/members/{directoryObject%2Did}/$ref', { 'group%2Did': groupId, 'directoryObject%2Did': memberId });
  await adapter.sendNoResponseContent(info, ERRORS);
}

describe('Kiota Graph SDK (@microsoft/msgraph-sdk)', () => {
  test('create a user and a group, add the member, disable the user', async () => {
    const authProvider = new BaseBearerTokenAuthenticationProvider({
      getAuthorizationToken: async () => writerToken,
      getAllowedHostsValidator: () => new AllowedHostsValidator(new Set([new URL(env.emulator.url).host])),
    });
    const adapter = new GraphRequestAdapter(authProvider);
    adapter.baseUrl = `${env.emulator.url}/v1.0`;
    const client = createGraphServiceClient(adapter);
    const upn = `kiota-user@${DEMO_TENANT.domain}`;
    const password = 'Kiota-Passw0rd';
    const user = await client.users.post({
      accountEnabled: true, displayName: 'Kiota User', mailNickname: 'kiota-user', userPrincipalName: upn,
      passwordProfile: { forceChangePasswordNextSignIn: false, password },
    });
    assert.ok(user?.id);
    const group = await kiotaCreateGroup(adapter, { displayName: 'Kiota Group', mailEnabled: false, mailNickname: 'kiota-group', securityEnabled: true });
    assert.ok(group?.id);
    await kiotaAddMember(adapter, group.id, { odataId: `https://graph.microsoft.com/v1.0/directoryObjects/${user.id}` });
    const memberOf = await client.users.byUserId(user.id).transitiveMemberOf.graphGroup.get();
    assert.deepEqual(memberOf?.value?.map((g) => g.displayName), ['Kiota Group']);

    const tokens = await cp1Tokens(upn, password);
    await client.users.byUserId(user.id).patch({ accountEnabled: false });
    const read = await client.users.byUserId(user.id).get({ queryParameters: { select: ['accountEnabled'] } });
    assert.equal(read?.accountEnabled, false);
    await expectDisabledEverywhere(upn, password, tokens);

    await kiotaRemoveMember(adapter, group.id, user.id);
    const after = await client.users.byUserId(user.id).transitiveMemberOf.get();
    assert.equal(after?.value?.length, 0);
    // Graph's errors surface as the SDK's ODataError with Graph's code.
    await assert.rejects(kiotaRemoveMember(adapter, group.id, user.id), (error: { responseStatusCode: number; error?: { code?: string } }) => {
      assert.equal(error.responseStatusCode, 404);
      return true;
    });
  });
});
