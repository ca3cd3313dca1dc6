import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { EmulatorConfigError, parseEmulatorConfig } from '../../src/config/load-config.ts';
import type { EmulatorConfigInput } from '../../src/config/schema.ts';
import { startEmulator } from '../../src/server.ts';

const TWO_TENANTS: EmulatorConfigInput = {
  tenants: [
    {
      domain: 'contoso.test',
      displayName: 'Contoso',
      users: [
        { userPrincipalName: 'ada@contoso.test', password: 'Ada-password-1', displayName: 'Ada Lovelace', jobTitle: 'Engineer' },
        { userPrincipalName: 'bob@contoso.test', password: 'Bob-password-1', displayName: 'Bob' },
      ],
      groups: [
        { displayName: 'Engineering', members: ['Platform'] },
        { displayName: 'Platform', members: ['ada@contoso.test'] },
      ],
      apps: [
        {
          name: 'tasks-api',
          displayName: 'Tasks API',
          scopes: [{ value: 'Tasks.Read', displayName: 'Read your tasks' }],
          appRoles: [{ value: 'Tasks.Admin', members: ['ada@contoso.test', 'worker'] }],
        },
        {
          name: 'worker',
          displayName: 'Worker',
          secrets: [{ value: 'worker-secret-value-0123456789' }],
          requiredPermissions: [
            { resource: 'tasks-api', roles: ['Tasks.Admin'], adminConsent: true },
            { resource: 'Microsoft Graph', roles: ['User.Read.All'], adminConsent: true },
          ],
        },
        { name: 'web', displayName: 'Web', redirectUris: ['http://localhost:3000/callback'], secrets: [{}], requiredPermissions: [{ resource: 'tasks-api', scopes: ['Tasks.Read'] }] },
      ],
    },
    { domain: 'fabrikam.test', users: [{ userPrincipalName: 'eve@fabrikam.test', password: 'Eve-password-1', displayName: 'Eve' }] },
  ],
};

function problems(input: unknown): string[] {
  try {
    parseEmulatorConfig(input);
  } catch (error) {
    if (error instanceof EmulatorConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('emulator tenant file', () => {
  it('names each problem by its JSON path', () => {
    assert.deepEqual(
      problems({
        tenants: [
          { domain: 'a.test', apps: [{ displayName: 'ok' }, { displayName: 'bad', redirectUris: ['/callback', 'myapp://cb'], colour: 'red' }] },
          { domain: 'not a domain', users: [{ userPrincipalName: 'x@a.test', password: 'short', displayName: 'X' }] },
        ],
      }),
      [
        'tenants[0].apps[1].redirectUris[0]: must be an absolute URL',
        'tenants[0].apps[1].redirectUris[1]: must use http or https (custom schemes belong under publicClient.redirectUris)',
        'tenants[0].apps[1]: unknown setting "colour"',
        'tenants[1].domain: must be a domain such as contoso.onmicrosoft.com',
        'tenants[1].users[0].password: must have at least 8 characters',
      ],
    );
    assert.deepEqual(problems({}), ['tenants: is required']);
  });

  it('refuses references to users, groups, apps and permissions that do not exist, before writing anything', async () => {
    const config: EmulatorConfigInput = {
      tenants: [
        {
          domain: 'c.test',
          users: [{ userPrincipalName: 'ann@other.test', password: 'Ann-password-1', displayName: 'Ann' }],
          groups: [{ displayName: 'G', members: ['nobody@c.test'] }],
          apps: [{ displayName: 'App', requiredPermissions: [{ resource: 'graph', scopes: ['Mail.Send'] }, { resource: 'missing-api', scopes: ['x'] }] }],
        },
      ],
    };
    await assert.rejects(startEmulator({ config, port: 0, writeDevJson: false }), (error: unknown) => {
      assert.ok(error instanceof EmulatorConfigError);
      assert.deepEqual(error.problems, [
        'tenants[0].users[0].userPrincipalName: must end with @c.test (users sign in to the tenant their domain names)',
        'tenants[0].groups[0].members[0]: no user or group "nobody@c.test" in this tenant',
        'tenants[0].apps[0].requiredPermissions[0].scopes[0]: "Mail.Send" is not a delegated permission of Microsoft Graph in the emulator',
        'tenants[0].apps[0].requiredPermissions[1].resource: no app "missing-api" in this tenant (nor Microsoft Graph or Azure Storage)',
      ]);
      return true;
    });
  });

  it('starts several tenants, each with its own signing key, and returns urls, dev.json and close()', async () => {
    const emulator = await startEmulator({ config: TWO_TENANTS, port: 0, trustCa: true });
    try {
      const { devJson } = emulator;
      assert.deepEqual(emulator.urls, { home: `${emulator.url}/`, requestLog: `${emulator.url}/_admin/requests`, deviceLogin: `${emulator.url}/common/oauth2/deviceauth`, errors: `${emulator.url}/error` });
      assert.equal(devJson.tenants.length, 2);
      const [contoso, fabrikam] = devJson.tenants;
      assert.equal(devJson.tenantId, contoso!.id);
      assert.equal(contoso!.authority, `${emulator.url}/${contoso!.id}`);
      assert.deepEqual(Object.keys(devJson.apps).sort(), ['tasks-api', 'web', 'worker']);
      assert.equal(devJson.apps['worker']!.clientSecret, 'worker-secret-value-0123456789');
      assert.match(devJson.apps['web']!.clientSecret!, /^.{40}$/);
      assert.equal(devJson.apps['tasks-api']!.scope, `api://${devJson.apps['tasks-api']!.clientId}/.default`);
      assert.deepEqual(devJson.users.map((u) => u.username), ['ada@contoso.test', 'bob@contoso.test', 'eve@fabrikam.test']);
      const directory = emulator.deps.directory;
      assert.equal(directory.findTenant('contoso.test')?.displayName, 'Contoso');
      assert.equal(directory.findTenant('fabrikam.test')?.displayName, 'fabrikam.test');
      assert.equal(emulator.deps.directory.findTenant('entrakitdemo.onmicrosoft.com'), undefined, 'no demo tenant with a config');
      const ada = directory.findUserByUsername(contoso!.id, 'ada@contoso.test')!;
      assert.equal(directory.memberships.transitiveGroupIds(ada.id).length, 2, 'nested groups');

      const kids = async (segment: string) => ((await (await fetch(`${emulator.url}/${segment}/discovery/v2.0/keys`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
      const contosoKids = await kids(contoso!.id);
      const fabrikamKids = await kids(fabrikam!.id);
      assert.equal(contosoKids.length, 1);
      assert.equal(fabrikamKids.length, 1);
      assert.notEqual(contosoKids[0], fabrikamKids[0]);
      assert.deepEqual((await kids('common')).filter((k) => k === contosoKids[0] || k === fabrikamKids[0]).length, 2);

      // Admin consent from the file: the worker's app-only token carries both granted roles, signed with Contoso's key.
      const token = async (scope: string) => {
        const response = await fetch(`${contoso!.authority}/oauth2/v2.0/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: devJson.apps['worker']!.clientId, client_secret: devJson.apps['worker']!.clientSecret!, scope }),
        });
        assert.equal(response.status, 200);
        return ((await response.json()) as { access_token: string }).access_token;
      };
      const apiToken = await token(devJson.apps['tasks-api']!.scope!);
      assert.deepEqual(decodeJwt(apiToken)['roles'], ['Tasks.Admin']);
      assert.equal(decodeProtectedHeader(apiToken).kid, contosoKids[0]);
      assert.deepEqual(decodeJwt(await token('https://graph.microsoft.com/.default'))['roles'], ['User.Read.All']);

      const home = await (await fetch(`${emulator.url}/`)).text();
      assert.ok(home.includes('contoso.test') && home.includes('fabrikam.test') && home.includes('http://localhost:3000/callback'));
      assert.ok(!home.includes('Ada-password-1') && !home.includes('worker-secret-value'), 'no secret on the home page');
    } finally {
      await emulator.close();
    }
  });
});
