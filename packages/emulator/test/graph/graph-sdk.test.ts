/**
 * Microsoft's Graph JS SDK (`@microsoft/microsoft-graph-client`) against the emulator, with only
 * the base URL changed (plus `customHosts`, which the SDK needs before it sends a token to any host
 * other than graph.microsoft.com).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BatchRequestContent, BatchResponseContent, Client, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { startGraphTestEnv, type GraphTestEnv } from './helpers/graph-test-env.ts';

let env: GraphTestEnv;
let client: Client;
before(async () => {
  env = await startGraphTestEnv();
  const token = await env.appToken({ roles: ['User.Read.All', 'GroupMember.Read.All', 'Application.ReadWrite.All'] });
  client = Client.init({
    authProvider: (done) => done(null, token),
    baseUrl: `${env.emulator.url}/`,
    customHosts: new Set(['localhost']),
  });
});
after(async () => {
  await env.close();
});

async function collect(first: PageCollection): Promise<Array<Record<string, unknown>>> {
  const seen: Array<Record<string, unknown>> = [];
  const iterator = new PageIterator(client, first, (item: Record<string, unknown>) => {
    seen.push(item);
    return true;
  });
  await iterator.iterate();
  return seen;
}

test('PageIterator walks every page of /users', async () => {
  const first = (await client.api('/users').select('userPrincipalName').top(1).get()) as PageCollection;
  assert.equal(first.value.length, 1);
  assert.ok(first['@odata.nextLink']);
  const users = await collect(first);
  assert.deepEqual(
    users.map((u) => u['userPrincipalName']),
    ['adele', 'alex', 'megan', 'nestor', 'admin'].map((alias) => `${alias}@entrakitdemo.onmicrosoft.com`),
  );
});

test('PageIterator walks transitiveMemberOf, each item typed', async () => {
  const first = (await client.api(`/users/${env.userId('adele')}/transitiveMemberOf`).top(1).get()) as PageCollection;
  const groups = await collect(first);
  assert.equal(groups.length, 4);
  assert.ok(groups.every((g) => g['@odata.type'] === '#microsoft.graph.group'));
  assert.deepEqual(groups.map((g) => g['displayName']).sort(), ['All Staff', 'Engineering', 'Identity Team', 'Platform']);
});

test('$count through the SDK header and query options', async () => {
  const page = (await client.api('/users').header('ConsistencyLevel', 'eventual').count(true).filter("endswith(mail,'@entrakitdemo.onmicrosoft.com')").select('id').get()) as PageCollection & { '@odata.count': number };
  assert.equal(page['@odata.count'], 5);
});

test('a $batch of mixed calls', async () => {
  const batch = new BatchRequestContent([
    { id: '1', request: new Request(`${env.emulator.url}/v1.0/users/${env.userId('megan')}?$select=displayName`, { method: 'GET' }) },
    {
      id: '2',
      request: new Request(`${env.emulator.url}/v1.0/applications`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ displayName: 'SDK batch app' }) }),
      dependsOn: ['1'],
    },
    { id: '3', request: new Request(`${env.emulator.url}/v1.0/groups?$select=displayName&$top=2`, { method: 'GET' }), dependsOn: ['2'] },
  ]);
  const answer = await client.api('/$batch').post(await batch.getContent());
  const responses = new BatchResponseContent(answer);
  const megan = responses.getResponseById('1');
  assert.equal(megan.status, 200);
  assert.equal(((await megan.json()) as Record<string, unknown>)['displayName'], 'Megan Bowen');
  const created = responses.getResponseById('2');
  assert.equal(created.status, 201);
  assert.equal(((await created.json()) as Record<string, unknown>)['displayName'], 'SDK batch app');
  const groups = responses.getResponseById('3');
  assert.equal(groups.status, 200);
  assert.equal(((await groups.json()) as { value: unknown[] }).value.length, 2);
});

test('SDK errors carry Graph\'s code and status', async () => {
  await assert.rejects(client.api('/users/00000000-0000-0000-0000-000000000001').get(), (error: { statusCode: number; code: string }) => {
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'Request_ResourceNotFound');
    return true;
  });
});
