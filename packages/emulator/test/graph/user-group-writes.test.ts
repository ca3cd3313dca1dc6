/**
 * Graph's user and group writes: shapes, permissions (scope AND directory role for delegated
 * calls), Graph's error codes, and what a change does to sign-in (disabled account, groups).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { graphError, startGraphTestEnv, TENANT_ID, type GraphTestEnv } from './helpers/graph-test-env.ts';
import { DEMO_TENANT, WEB_APP_ID } from '../../src/seed/demo-tenant.ts';

let env: GraphTestEnv;
let app: string;
before(async () => {
  env = await startGraphTestEnv();
  app = await env.appToken({ roles: ['User.ReadWrite.All', 'Group.ReadWrite.All', 'GroupMember.ReadWrite.All'] });
});
after(async () => {
  await env.close();
});

const upn = (alias: string) => `${alias}@${DEMO_TENANT.domain}`;
const send = (method: string, path: string, token: string, body?: unknown) =>
  fetch(`${env.emulator.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const newUser = (alias: string, extra: Record<string, unknown> = {}) => ({
  accountEnabled: true,
  displayName: `User ${alias}`,
  mailNickname: alias,
  userPrincipalName: upn(alias),
  passwordProfile: { forceChangePasswordNextSignIn: false, password: 'Str0ng!pass' },
  ...extra,
});

test('POST /users creates a user (201, Graph shape) who can then be read, and the password works', async () => {
  const response = await send('POST', '/v1.0/users', app, newUser('created1', { jobTitle: 'Tester' }));
  assert.equal(response.status, 201);
  const body = (await response.json()) as Record<string, unknown>;
  assert.match(String(body['@odata.context']), /\/v1\.0\/\$metadata#users\/\$entity$/);
  assert.equal(body['userPrincipalName'], upn('created1'));
  assert.equal(body['jobTitle'], 'Tester');
  assert.match(String(body['id']), /^[0-9a-f-]{36}$/);
  assert.ok(response.headers.get('location')?.includes(String(body['id'])));
  const read = await env.get(`/v1.0/users/${upn('created1')}?$select=accountEnabled,mailNickname`, app);
  assert.deepEqual(await read.json().then((b) => ({ a: (b as Record<string, unknown>)['accountEnabled'], m: (b as Record<string, unknown>)['mailNickname'] })), { a: true, m: 'created1' });
  assert.equal(await env.emulator.deps.directory.credentials.verifyPassword(String(body['id']), 'Str0ng!pass'), true);
});

test('duplicate userPrincipalName (any case): 400 Request_BadRequest with ObjectConflict', async () => {
  const response = await send('POST', '/v1.0/users', app, newUser('ADELE'));
  assert.equal(response.status, 400);
  const body = (await response.json()) as { error: { code: string; message: string; details: unknown } };
  assert.equal(body.error.code, 'Request_BadRequest');
  assert.equal(body.error.message, 'Another object with the same value for property userPrincipalName already exists.');
  assert.deepEqual(body.error.details, [{ code: 'ObjectConflict', target: 'userPrincipalName' }]);
});

test('missing required property, weak password, foreign domain, unknown property: Graph 400s', async () => {
  const { mailNickname: _m, ...noNickname } = newUser('x1');
  let error = await graphError(await send('POST', '/v1.0/users', app, noNickname));
  assert.equal(error.message, "Invalid value specified for property 'mailNickname' of resource 'User'.");
  error = await graphError(await send('POST', '/v1.0/users', app, newUser('x2', { passwordProfile: { password: 'password' } })));
  assert.equal(error.message, 'The specified password does not comply with password complexity requirements. Please provide a different password.');
  error = await graphError(await send('POST', '/v1.0/users', app, newUser('x3', { userPrincipalName: 'x3@example.com' })));
  assert.match(error.message, /^The domain portion of the userPrincipalName property is invalid/);
  error = await graphError(await send('POST', '/v1.0/users', app, newUser('x4', { favouriteColour: 'blue' })));
  assert.equal(error.code, 'Request_BadRequest');
  assert.match(error.message, /favouriteColour/);
});

test('permissions: app roles, and delegated writes need the scope AND a directory role', async () => {
  const readOnly = await env.appToken({ roles: ['User.Read.All'] });
  assert.equal((await graphError(await send('POST', '/v1.0/users', readOnly, newUser('p1')))).code, 'Authorization_RequestDenied');
  // adele has User.ReadWrite.All in scp but no directory role: refused.
  const adele = await env.delegatedToken({ alias: 'adele', scp: 'User.ReadWrite.All' });
  const refused = await send('POST', '/v1.0/users', adele, newUser('p2'));
  assert.equal(refused.status, 403);
  assert.equal((await graphError(refused)).message, 'Insufficient privileges to complete the operation.');
  // The demo admin is a Global Administrator: the same scope works.
  const admin = await env.delegatedToken({ alias: 'admin', scp: 'User.ReadWrite.All' });
  assert.equal((await send('POST', '/v1.0/users', admin, newUser('p3'))).status, 201);
  // Group writes with only the user permission: refused.
  assert.equal((await send('POST', '/v1.0/groups', admin, { displayName: 'G', mailEnabled: false, mailNickname: 'g', securityEnabled: true })).status, 403);
});

test('PATCH and DELETE users: 204, then 404 Request_ResourceNotFound', async () => {
  const created = (await (await send('POST', '/v1.0/users', app, newUser('patched'))).json()) as { id: string };
  assert.equal((await send('PATCH', `/v1.0/users/${created.id}`, app, { department: 'QA', displayName: 'Patched' })).status, 204);
  const read = (await (await env.get(`/v1.0/users/${created.id}?$select=department,displayName`, app)).json()) as Record<string, unknown>;
  assert.equal(read['department'], 'QA');
  assert.equal(read['displayName'], 'Patched');
  assert.equal((await send('DELETE', `/v1.0/users/${created.id}`, app)).status, 204);
  const gone = await env.get(`/v1.0/users/${created.id}`, app);
  assert.equal(gone.status, 404);
  assert.equal((await graphError(gone)).code, 'Request_ResourceNotFound');
});

test('groups: create, members/$ref and owners/$ref add and remove, shown in transitiveMemberOf; errors as Graph', async () => {
  const alex = env.userId('alex');
  const created = await send('POST', '/v1.0/groups', app, { displayName: 'Writers', mailEnabled: false, mailNickname: 'writers', securityEnabled: true, description: 'w' });
  assert.equal(created.status, 201);
  const group = (await created.json()) as Record<string, unknown>;
  assert.deepEqual(group['groupTypes'], []);
  assert.equal(group['mailNickname'], 'writers');
  const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${alex}` };
  assert.equal((await send('POST', `/v1.0/groups/${group['id']}/members/$ref`, app, ref)).status, 204);
  const again = await graphError(await send('POST', `/v1.0/groups/${group['id']}/members/$ref`, app, ref));
  assert.equal(again.message, "One or more added object references already exist for the following modified properties: 'members'.");
  const memberOf = (await (await env.get(`/v1.0/users/${alex}/transitiveMemberOf`, app)).json()) as { value: Array<{ id: string }> };
  assert.ok(memberOf.value.some((g) => g.id === group['id']));
  assert.equal((await send('POST', `/v1.0/groups/${group['id']}/owners/$ref`, app, ref)).status, 204);
  const owners = (await (await env.get(`/v1.0/groups/${group['id']}/owners`, app)).json()) as { value: Array<{ id: string; '@odata.type': string }> };
  assert.deepEqual(owners.value.map((o) => [o.id, o['@odata.type']]), [[alex, '#microsoft.graph.user']]);
  assert.equal((await send('DELETE', `/v1.0/groups/${group['id']}/members/${alex}/$ref`, app)).status, 204);
  const notMember = await send('DELETE', `/v1.0/groups/${group['id']}/members/${alex}/$ref`, app);
  assert.equal(notMember.status, 404);
  assert.equal((await graphError(notMember)).code, 'Request_ResourceNotFound');
  const missing = await send('POST', `/v1.0/groups/${group['id']}/members/$ref`, app, { '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-0000-0000-00000000abcd' });
  assert.equal(missing.status, 404);
  assert.equal((await send('PATCH', `/v1.0/groups/${group['id']}`, app, { description: 'changed' })).status, 204);
  assert.equal((await send('DELETE', `/v1.0/groups/${group['id']}`, app)).status, 204);
  assert.equal((await env.get(`/v1.0/groups/${group['id']}`, app)).status, 404);
  const mailEnabled = await graphError(await send('POST', '/v1.0/groups', app, { displayName: 'M', mailEnabled: true, mailNickname: 'm', securityEnabled: true }));
  assert.equal(mailEnabled.message, 'Cannot Create a mail-enabled security groups and or distribution list.');
});

test('a group owner manages its members with GroupMember.ReadWrite.All but no directory role', async () => {
  const megan = env.userId('megan');
  const meganToken = await env.delegatedToken({ alias: 'megan', scp: 'GroupMember.ReadWrite.All' });
  const group = (await (await send('POST', '/v1.0/groups', app, { displayName: 'Owned', mailEnabled: false, mailNickname: 'owned', securityEnabled: true })).json()) as { id: string };
  const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/users/${env.userId('alex')}` };
  assert.equal((await send('POST', `/v1.0/groups/${group.id}/members/$ref`, meganToken, ref)).status, 403);
  assert.equal((await send('POST', `/v1.0/groups/${group.id}/owners/$ref`, app, { '@odata.id': `https://graph.microsoft.com/v1.0/users/${megan}` })).status, 204);
  assert.equal((await send('POST', `/v1.0/groups/${group.id}/members/$ref`, meganToken, ref)).status, 204);
});

test('disabling a user: CP1 Graph tokens issued before get the insufficient_claims challenge; others stay valid until expiry', async () => {
  const created = (await (await send('POST', '/v1.0/users', app, newUser('tobedisabled'))).json()) as { id: string };
  const issuedAt = Math.floor(env.emulator.deps.clock() / 1000) - 5;
  const cae = await env.sign({
    aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${TENANT_ID}/`, iat: issuedAt, nbf: issuedAt, exp: issuedAt + 3600, tid: TENANT_ID,
    appid: '00000000-0000-0000-0000-000000000001', oid: created.id, sub: 'x', scp: 'User.Read', idtyp: 'user', xms_cc: ['cp1'], ver: '1.0',
  });
  assert.equal((await env.get('/v1.0/me', cae)).status, 200);
  assert.equal((await send('PATCH', `/v1.0/users/${created.id}`, app, { accountEnabled: false })).status, 204);
  const challenged = await env.get('/v1.0/me', cae);
  assert.equal(challenged.status, 401);
  const header = challenged.headers.get('www-authenticate') ?? '';
  assert.match(header, /error="insufficient_claims"/);
  const claims = JSON.parse(Buffer.from(/claims="([^"]+)"/.exec(header)![1]!, 'base64').toString()) as { access_token: { nbf: { essential: boolean; value: string } } };
  assert.equal(claims.access_token.nbf.essential, true);
  assert.ok(Number(claims.access_token.nbf.value) >= issuedAt);
  assert.equal((await graphError(challenged)).code, 'InvalidAuthenticationToken');
  // Without CP1 the client cannot answer a challenge: its token works until it expires.
  const plain = await env.sign({
    aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${TENANT_ID}/`, iat: issuedAt, nbf: issuedAt, exp: issuedAt + 3600, tid: TENANT_ID,
    appid: '00000000-0000-0000-0000-000000000001', oid: created.id, sub: 'x', scp: 'User.Read', idtyp: 'user', ver: '1.0',
  });
  assert.equal((await env.get('/v1.0/me', plain)).status, 200);
  // The request log says why.
  const log = env.emulator.deps.requestLog.list({ endpoint: 'graph' });
  assert.ok(log.some((entry) => entry.method === 'PATCH' && entry.why.some((w) => w.startsWith('account disabled: sign-in and refresh answer AADSTS50057'))));
  assert.ok(log.some((entry) => entry.status === 401 && entry.why.includes('CAE: the user is disabled or deleted, so this CP1 token gets a claims challenge (insufficient_claims)')));
});

test("group changes show in new tokens' groups claim, and above 200 groups as the overage pointer", async () => {
  const created = (await (await send('POST', '/v1.0/users', app, newUser('grouped'))).json()) as { id: string };
  const { decodeJwt } = await import('jose');
  const idToken = async () => decodeJwt(await env.emulator.admin.mintToken({ kind: 'id', clientId: WEB_APP_ID, user: upn('grouped') }));
  assert.equal((await idToken())['groups'], undefined);
  const first = (await (await send('POST', '/v1.0/groups', app, { displayName: 'Claims 0', mailEnabled: false, mailNickname: 'claims0', securityEnabled: true, 'members@odata.bind': [`https://graph.microsoft.com/v1.0/users/${created.id}`] })).json()) as { id: string };
  assert.deepEqual((await idToken())['groups'], [first.id]);
  for (let i = 1; i <= 200; i += 1) {
    const response = await send('POST', '/v1.0/groups', app, { displayName: `Claims ${i}`, mailEnabled: false, mailNickname: `claims${i}`, securityEnabled: true, 'members@odata.bind': [`https://graph.microsoft.com/v1.0/directoryObjects/${created.id}`] });
    assert.equal(response.status, 201);
  }
  const overage = await idToken();
  assert.equal(overage['groups'], undefined);
  assert.deepEqual(overage['_claim_names'], { groups: 'src1' });
  // Removing one brings the user back to 200 groups: the claim lists them again.
  assert.equal((await send('DELETE', `/v1.0/groups/${first.id}/members/${created.id}/$ref`, app)).status, 204);
  assert.equal(((await idToken())['groups'] as string[]).length, 200);
});

test('roleManagement/directory/roleAssignments: a User Administrator assigned through Graph may then create users', async () => {
  const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
  const rbac = await env.appToken({ roles: ['RoleManagement.ReadWrite.Directory'] });
  const megan = env.userId('megan');
  const meganToken = await env.delegatedToken({ alias: 'megan', scp: 'User.ReadWrite.All' });
  assert.equal((await send('POST', '/v1.0/users', meganToken, newUser('by-megan-1'))).status, 403);
  const assigned = await send('POST', '/v1.0/roleManagement/directory/roleAssignments', rbac, { principalId: megan, roleDefinitionId: USER_ADMINISTRATOR, directoryScopeId: '/' });
  assert.equal(assigned.status, 201);
  const assignment = (await assigned.json()) as { id: string; principalId: string; roleDefinitionId: string; directoryScopeId: string };
  assert.deepEqual([assignment.principalId, assignment.roleDefinitionId, assignment.directoryScopeId], [megan, USER_ADMINISTRATOR, '/']);
  assert.equal((await send('POST', '/v1.0/roleManagement/directory/roleAssignments', rbac, { principalId: megan, roleDefinitionId: USER_ADMINISTRATOR, directoryScopeId: '/' })).status, 400);
  assert.equal((await send('POST', '/v1.0/users', meganToken, newUser('by-megan-2'))).status, 201);
  const { decodeJwt } = await import('jose');
  const graphToken = decodeJwt(await env.emulator.admin.mintToken({ kind: 'access', clientId: WEB_APP_ID, resource: 'https://graph.microsoft.com', user: upn('megan'), scopes: ['User.Read'] }));
  assert.deepEqual(graphToken['wids'], [USER_ADMINISTRATOR]);
  assert.equal((await send('DELETE', `/v1.0/roleManagement/directory/roleAssignments/${assignment.id}`, rbac)).status, 204);
  assert.equal((await send('POST', '/v1.0/users', meganToken, newUser('by-megan-3'))).status, 403);
  // Without the permission: 403.
  assert.equal((await send('POST', '/v1.0/roleManagement/directory/roleAssignments', app, { principalId: megan, roleDefinitionId: USER_ADMINISTRATOR })).status, 403);
});
