/**
 * The Kiota-based Graph SDK (`@microsoft/msgraph-sdk` + `@microsoft/msgraph-sdk-users`) against
 * the emulator, with only the adapter's base URL changed: its URL templates use the `graph.`
 * cast alias and the `/users/$count` segment.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AllowedHostsValidator, BaseBearerTokenAuthenticationProvider } from '@microsoft/kiota-abstractions';
import { createGraphServiceClient, GraphRequestAdapter, type GraphServiceClient } from '@microsoft/msgraph-sdk';
import '@microsoft/msgraph-sdk-users';
import { startGraphTestEnv, type GraphTestEnv } from './helpers/graph-test-env.ts';

let env: GraphTestEnv;
let client: GraphServiceClient;
before(async () => {
  env = await startGraphTestEnv();
  const token = await env.appToken({ roles: ['User.Read.All', 'GroupMember.Read.All'] });
  const authProvider = new BaseBearerTokenAuthenticationProvider({
    getAuthorizationToken: async () => token,
    getAllowedHostsValidator: () => new AllowedHostsValidator(new Set([new URL(env.emulator.url).host])),
  });
  const adapter = new GraphRequestAdapter(authProvider);
  adapter.baseUrl = `${env.emulator.url}/v1.0`;
  client = createGraphServiceClient(adapter);
});
after(async () => {
  await env.close();
});

test('users.count with ConsistencyLevel: eventual', async () => {
  const count = await client.users.count.get({ headers: { ConsistencyLevel: 'eventual' } });
  assert.equal(count, 5);
});

test('memberOf.graphGroup (the graph.group cast) with $select', async () => {
  const page = await client.users.byUserId(env.userId('alex')).transitiveMemberOf.graphGroup.get({ queryParameters: { select: ['displayName'] } });
  assert.deepEqual(page?.value?.map((g) => g.displayName).sort(), ['All Staff', 'Engineering']);
});

test('users list with $count=true, $filter endsWith and the header', async () => {
  const page = await client.users.get({
    headers: { ConsistencyLevel: 'eventual' },
    queryParameters: { count: true, filter: "endswith(mail,'@entrakitdemo.onmicrosoft.com')", select: ['userPrincipalName'], orderby: ['displayName'] },
  });
  assert.equal(page?.odataCount, 5);
  assert.deepEqual(page?.value?.map((u) => u.userPrincipalName), ['adele', 'alex', 'admin', 'megan', 'nestor'].map((a) => `${a}@entrakitdemo.onmicrosoft.com`));
});

test('Graph errors surface as ODataError with the code', async () => {
  await assert.rejects(client.users.byUserId('00000000-0000-0000-0000-000000000001').get(), (error: { responseStatusCode: number; errorEscaped?: { code?: string } }) => {
    assert.equal(error.responseStatusCode, 404);
    assert.equal(error.errorEscaped?.code, 'Request_ResourceNotFound');
    return true;
  });
});
