import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkRouteRequirement } from '../../src/bearer/requirements.ts';
import { isEntrakitError } from '../../src/core/errors.ts';
import type { Principal } from '../../src/core/tokens/principal.ts';

function principal(fields: { scopes?: string[]; roles?: string[]; kind?: 'user' | 'app' }): Principal {
  return {
    kind: fields.kind ?? 'user',
    tenantId: '11111111-1111-4111-8111-111111111111',
    objectId: '22222222-2222-4222-8222-222222222222',
    clientId: '33333333-3333-4333-8333-333333333333',
    tokenVersion: '2.0',
    scopes: fields.scopes ?? [],
    roles: fields.roles ?? [],
    authContexts: [],
  };
}

const refusedForScope = (error: unknown): boolean => isEntrakitError(error, 'BEARER_INSUFFICIENT_SCOPE');

describe('route requirements keep scopes and roles apart', () => {
  it('a role named like a required scope does not satisfy the scope requirement', () => {
    assert.throws(() => checkRouteRequirement(principal({ roles: ['Reports.Read'] }), { scopes: ['Reports.Read'] }), refusedForScope);
    assert.doesNotThrow(() => checkRouteRequirement(principal({ scopes: ['Reports.Read'] }), { scopes: ['Reports.Read'] }));
  });

  it('a scope named like a required role does not satisfy the role requirement', () => {
    assert.throws(() => checkRouteRequirement(principal({ scopes: ['Api.Admin'] }), { roles: ['Api.Admin'] }), refusedForScope);
    assert.doesNotThrow(() => checkRouteRequirement(principal({ roles: ['Api.Admin'] }), { roles: ['Api.Admin'] }));
  });

  it('with both listed, either a listed scope or a listed role passes, and the names still do not cross', () => {
    const requirement = { scopes: ['user_impersonation'], roles: ['Api.Admin'] };
    assert.doesNotThrow(() => checkRouteRequirement(principal({ scopes: ['user_impersonation'] }), requirement));
    assert.doesNotThrow(() => checkRouteRequirement(principal({ roles: ['Api.Admin'], kind: 'app' }), requirement));
    assert.throws(() => checkRouteRequirement(principal({ roles: ['user_impersonation'], scopes: ['Api.Admin'] }), requirement), refusedForScope);
  });
});
