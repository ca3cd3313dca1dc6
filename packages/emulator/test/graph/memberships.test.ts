import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { graphError, startGraphTestEnv, type GraphTestEnv } from './helpers/graph-test-env.ts';

type Page = { '@odata.context': string; '@odata.nextLink'?: string; value: Array<Record<string, unknown>> };

const NESTED = ['All Staff', 'Engineering', 'Identity Team', 'Platform'];

let env: GraphTestEnv;
let groupReader: string;
before(async () => {
  env = await startGraphTestEnv();
  groupReader = await env.delegatedToken({ scp: 'User.Read GroupMember.Read.All' });
});
after(async () => {
  await env.close();
});

const names = (page: Page) => page.value.map((g) => g['displayName']).sort();

describe('memberOf and transitiveMemberOf', () => {
  test('/me/transitiveMemberOf lists all four nested groups, typed as groups', async () => {
    const response = await env.get('/v1.0/me/transitiveMemberOf', groupReader);
    assert.equal(response.status, 200);
    const page = (await response.json()) as Page;
    assert.equal(page['@odata.context'], `${env.emulator.url}/v1.0/$metadata#directoryObjects`);
    assert.deepEqual(names(page), NESTED);
    for (const group of page.value) {
      assert.equal(group['@odata.type'], '#microsoft.graph.group');
      assert.equal(group['securityEnabled'], true);
    }
  });

  test('/me/memberOf lists only the direct group', async () => {
    const page = (await (await env.get('/v1.0/me/memberOf', groupReader)).json()) as Page;
    assert.deepEqual(page.value.map((g) => [g['displayName'], g['id']]), [['Identity Team', env.groupId('Identity Team')]]);
  });

  test('with only User.Read, groups come back with id and type only ("limited information")', async () => {
    const page = (await (await env.get('/v1.0/me/memberOf?$select=id,displayName', await env.delegatedToken({ scp: 'User.Read' }))).json()) as Page;
    assert.deepEqual(page.value, [{ '@odata.type': '#microsoft.graph.group', id: env.groupId('Identity Team'), displayName: null }]);
  });

  test('the microsoft.graph.group cast, $select, $filter and paging', async () => {
    const page = (await (await env.get('/v1.0/me/transitiveMemberOf/microsoft.graph.group?$select=displayName&$top=3', groupReader)).json()) as Page;
    assert.equal(page['@odata.context'], `${env.emulator.url}/v1.0/$metadata#groups(displayName)`);
    assert.equal(page.value.length, 3);
    assert.ok(page['@odata.nextLink']);
    const rest = (await (await fetch(page['@odata.nextLink'], { headers: { authorization: `Bearer ${groupReader}` } })).json()) as Page;
    assert.deepEqual([...page.value, ...rest.value].map((g) => g['displayName']).sort(), NESTED);
    assert.equal(rest['@odata.nextLink'], undefined);

    const filtered = (await (await env.get(`/v1.0/me/transitiveMemberOf?$filter=${encodeURIComponent("displayName eq 'Platform'")}`, groupReader)).json()) as Page;
    assert.deepEqual(names(filtered), ['Platform']);
  });

  test('an app token (User.Read.All + GroupMember.Read.All) reads any user\'s nested groups', async () => {
    const token = await env.appToken({ roles: ['User.Read.All', 'GroupMember.Read.All'] });
    const page = (await (await env.get(`/v1.0/users/${env.userId('adele')}/transitiveMemberOf`, token)).json()) as Page;
    assert.deepEqual(names(page), NESTED);
    const alex = (await (await env.get('/v1.0/users/alex@entrakitdemo.onmicrosoft.com/transitiveMemberOf', token)).json()) as Page;
    assert.deepEqual(names(alex), ['All Staff', 'Engineering']);
    const direct = (await (await env.get(`/v1.0/users/${env.userId('megan')}/memberOf`, token)).json()) as Page;
    assert.deepEqual(names(direct), ['All Staff']);
  });

  test('an app token without permissions is 403; /me with an app token is 400', async () => {
    const token = await env.appToken({ roles: ['Application.Read.All'] });
    const denied = await env.get(`/v1.0/users/${env.userId('adele')}/memberOf`, token);
    assert.equal(denied.status, 403);
    assert.equal((await graphError(denied)).code, 'Authorization_RequestDenied');
    assert.equal((await env.get('/v1.0/me/memberOf', token)).status, 400);
  });

  test('memberOf of an unknown user is 404', async () => {
    const response = await env.get('/v1.0/users/nobody@entrakitdemo.onmicrosoft.com/memberOf', groupReader);
    assert.equal(response.status, 404);
    assert.equal((await graphError(response)).code, 'Request_ResourceNotFound');
  });
});

describe('getMemberObjects and getMemberGroups', () => {
  test('/me/getMemberObjects returns every transitive group id (User.Read is enough for oneself)', async () => {
    const response = await env.post('/v1.0/me/getMemberObjects', await env.delegatedToken({ scp: 'User.Read' }), { securityEnabledOnly: true });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { '@odata.context': string; value: string[] };
    assert.equal(body['@odata.context'], `${env.emulator.url}/v1.0/$metadata#Collection(Edm.String)`);
    assert.deepEqual(body.value.sort(), NESTED.map((name) => env.groupId(name)).sort());
  });

  test('/users/{id}/getMemberObjects with an app token, and getMemberGroups', async () => {
    const token = await env.appToken({ roles: ['User.Read.All', 'GroupMember.Read.All'] });
    for (const action of ['getMemberObjects', 'getMemberGroups']) {
      const response = await env.post(`/v1.0/users/${env.userId('alex')}/${action}`, token, { securityEnabledOnly: false });
      assert.equal(response.status, 200, action);
      const body = (await response.json()) as { value: string[] };
      assert.deepEqual(body.value.sort(), [env.groupId('All Staff'), env.groupId('Engineering')].sort());
    }
  });

  test('another user\'s groups need group permissions; a bad body is 400', async () => {
    const userOnly = await env.appToken({ roles: ['User.Read.All'] });
    const denied = await env.post(`/v1.0/users/${env.userId('alex')}/getMemberObjects`, userOnly, { securityEnabledOnly: true });
    assert.equal(denied.status, 403);
    for (const body of ['{', '{}', '{"securityEnabledOnly":"yes"}', 'null']) {
      const response = await env.post('/v1.0/me/getMemberObjects', groupReader, body);
      assert.equal(response.status, 400, body);
      assert.equal((await graphError(response)).code, 'Request_BadRequest');
    }
  });
});

describe('groups', () => {
  test('/groups lists the tenant\'s groups; /groups/{id} returns one', async () => {
    const page = (await (await env.get('/v1.0/groups', groupReader)).json()) as Page;
    assert.equal(page['@odata.context'], `${env.emulator.url}/v1.0/$metadata#groups`);
    // The nested demo groups plus the 210 "Project nnn" groups of the groups-overage user: 100 a page.
    assert.equal(page.value.length, 100);
    const all = [...page.value];
    for (let next = page['@odata.nextLink']; next; ) {
      const more = (await (await fetch(next, { headers: { authorization: `Bearer ${groupReader}` } })).json()) as Page;
      all.push(...more.value);
      next = more['@odata.nextLink'];
    }
    assert.equal(all.length, 214);
    assert.deepEqual(all.map((g) => String(g['displayName'])).filter((name) => !name.startsWith('Project ')).sort(), NESTED);
    const id = env.groupId('Platform');
    const response = await env.get(`/v1.0/groups/${id}`, groupReader);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      '@odata.context': `${env.emulator.url}/v1.0/$metadata#groups/$entity`,
      id,
      description: 'Platform (demo)',
      displayName: 'Platform',
      groupTypes: [],
      mail: null,
      mailEnabled: false,
      mailNickname: null,
      securityEnabled: true,
    });
  });

  test('/groups/{id}/members and /transitiveMembers (users and nested groups)', async () => {
    const token = await env.appToken({ roles: ['User.Read.All', 'GroupMember.Read.All'] });
    const members = (await (await env.get(`/v1.0/groups/${env.groupId('Engineering')}/members?$select=displayName`, token)).json()) as Page;
    const byName = [...members.value].sort((a, b) => String(a['displayName']).localeCompare(String(b['displayName'])));
    assert.deepEqual(byName, [
      { '@odata.type': '#microsoft.graph.user', displayName: 'Alex Wilber' },
      { '@odata.type': '#microsoft.graph.group', displayName: 'Platform' },
    ]);
    const all = (await (await env.get(`/v1.0/groups/${env.groupId('All Staff')}/transitiveMembers?$select=displayName`, token)).json()) as Page;
    assert.deepEqual(all.value.map((m) => m['displayName']).sort(), ['Adele Vance', 'Alex Wilber', 'Engineering', 'Identity Team', 'Megan Bowen', 'Platform']);
    const users = (await (await env.get(`/v1.0/groups/${env.groupId('All Staff')}/transitiveMembers/microsoft.graph.user?$select=userPrincipalName`, token)).json()) as Page;
    assert.equal(users['@odata.context'], `${env.emulator.url}/v1.0/$metadata#users(userPrincipalName)`);
    assert.equal(users.value.length, 3);
  });

  test('members the caller may not read as users come back limited (the signed-in user excepted)', async () => {
    const page = (await (await env.get(`/v1.0/groups/${env.groupId('Engineering')}/members?$select=id,displayName`, groupReader)).json()) as Page;
    assert.deepEqual(page.value.find((m) => m['@odata.type'] === '#microsoft.graph.user'), { '@odata.type': '#microsoft.graph.user', id: env.userId('alex'), displayName: null });
    assert.deepEqual(page.value.find((m) => m['@odata.type'] === '#microsoft.graph.group'), { '@odata.type': '#microsoft.graph.group', id: env.groupId('Platform'), displayName: 'Platform' });
    const own = (await (await env.get(`/v1.0/groups/${env.groupId('Identity Team')}/members?$select=displayName`, groupReader)).json()) as Page;
    assert.deepEqual(own.value, [{ '@odata.type': '#microsoft.graph.user', displayName: 'Adele Vance' }]);
  });

  test('group errors: bad id 400, unknown 404, no permission 403', async () => {
    const bad = await env.get('/v1.0/groups/not-a-guid/members', groupReader);
    assert.equal(bad.status, 400);
    assert.equal((await graphError(bad)).message, "Invalid object identifier 'not-a-guid'.");
    const missing = await env.get('/v1.0/groups/00000000-0000-4000-8000-000000000000', groupReader);
    assert.equal(missing.status, 404);
    assert.equal((await graphError(missing)).code, 'Request_ResourceNotFound');
    const denied = await env.get('/v1.0/groups', await env.delegatedToken({ scp: 'User.Read' }));
    assert.equal(denied.status, 403);
    assert.equal((await graphError(denied)).code, 'Authorization_RequestDenied');
  });
});
