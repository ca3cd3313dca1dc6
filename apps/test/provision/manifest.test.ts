/** The manifest is checked completely before any Graph call: every problem, each with its JSON path. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isEntrakitError } from 'entrakit';
import { manifestProblems, parseManifest } from '../../provision/manifest.ts';

const DEMO = join(import.meta.dirname, '..', '..', '..', 'provision', 'demo.json');

const scope = { value: 'read', adminConsentDisplayName: 'Read', adminConsentDescription: 'Reads.' };

describe('manifest validation', () => {
  it('accepts provision/demo.json (the demo tenant\'s two apps) and fills in defaults', async () => {
    const manifest = parseManifest(await readFile(DEMO, 'utf8'));
    assert.deepEqual(manifest.apps.map((a) => a.name), ['entrakit api', 'entrakit web']);
    const [api, web] = manifest.apps;
    assert.equal(api!.api?.requestedAccessTokenVersion, 2);
    assert.equal(api!.api?.scopes[0]?.type, 'User');
    assert.equal(web!.servicePrincipal, true);
    assert.deepEqual(web!.requiredResourceAccess.map((r) => [r.resource, r.adminConsent]), [['Microsoft Graph', true], ['entrakit api', false], ['entrakit api', true]]);
  });

  it('reports each problem with its JSON path', () => {
    const problems = manifestProblems({
      apps: [
        { name: 'ok' },
        { name: 'api', api: { scopes: [{ adminConsentDisplayName: 'x', adminConsentDescription: 'y' }] }, colour: 'blue' },
        { name: 'web', web: { redirectUris: ['not a uri'] }, secret: { displayName: 's', expiresInDays: 0, envVar: 'lower' }, owners: ['adele'] },
      ],
    });
    assert.deepEqual(problems, [
      'apps[1].api.scopes[0].value: required',
      'apps[1]: unknown key "colour"',
      'apps[2].web.redirectUris[0]: must be an absolute URI',
      'apps[2].owners[0]: must be a user principal name (name@domain)',
      'apps[2].secret.expiresInDays: Too small: expected number to be >=1',
      'apps[2].secret.envVar: must be an environment variable name (A-Z, 0-9, _)',
    ]);
  });

  it('checks references between apps: order, scope and role names, role assignments', () => {
    const problems = manifestProblems({
      apps: [
        { name: 'web', requiredResourceAccess: [{ resource: 'api', scopes: ['read'] }] },
        {
          name: 'api',
          api: { scopes: [scope, scope] },
          appRoles: [{ value: 'Reader', displayName: 'R', description: 'R', allowedMemberTypes: ['Application'] }],
          roleAssignments: [{ role: 'Reader', user: 'adele@contoso.com' }, { role: 'Writer', user: 'adele@contoso.com' }],
        },
        { name: 'client', requiredResourceAccess: [{ resource: 'API', scopes: ['write'], roles: ['Reader', 'Nope'] }] },
        { name: 'Client' },
      ],
    });
    assert.deepEqual(problems, [
      'apps[0].requiredResourceAccess[0].resource: "api" must come before this app in the manifest',
      'apps[1].api.scopes[1].value: "read" appears twice',
      'apps[1].roleAssignments[0].role: "Reader" does not allow User members',
      'apps[1].roleAssignments[1].role: "Writer" is not one of this app\'s appRoles',
      'apps[2].requiredResourceAccess[0].scopes[0]: "api" exposes no scope "write"',
      'apps[2].requiredResourceAccess[0].roles[1]: "api" has no app role "Nope" for applications',
      'apps[3].name: "Client" appears twice',
    ]);
  });

  it('parseManifest throws PROVISION_MANIFEST_INVALID listing every problem, or naming bad JSON', () => {
    assert.throws(
      () => parseManifest('{"apps": []}', 'm.json'),
      (error: unknown) => isEntrakitError(error, 'PROVISION_MANIFEST_INVALID') && error.message === 'm.json is invalid:\n  apps: Too small: expected array to have >=1 items',
    );
    assert.throws(() => parseManifest('{"apps": [', 'm.json'), (error: unknown) => isEntrakitError(error, 'PROVISION_MANIFEST_INVALID') && error.message.startsWith('m.json is not valid JSON: '));
  });
});
