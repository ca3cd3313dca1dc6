import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectedIssuer, isTenantAllowed, issuerMatches, tenantFromIssuer, v1IssuerFor } from '../../../src/core/tokens/issuer.ts';

const TID = '11111111-1111-4111-8111-111111111111';

describe('Entra issuer rules', () => {
  it('substitutes tid into the {tenantid} template, then compares exactly', () => {
    const template = 'https://login.microsoftonline.com/{tenantid}/v2.0';
    assert.equal(expectedIssuer(template, TID), `https://login.microsoftonline.com/${TID}/v2.0`);
    assert.equal(issuerMatches(template, `https://login.microsoftonline.com/${TID}/v2.0`, TID), true);
    assert.equal(issuerMatches(template, `https://login.microsoftonline.com/${TID}/v2.0/`, TID), false);
    assert.equal(issuerMatches(template, 'https://login.microsoftonline.com/other/v2.0', TID), false);
    assert.equal(expectedIssuer(template, 'a/b'), undefined);
    assert.equal(expectedIssuer(template, undefined), undefined);
  });

  it('accepts tenant issuers on any host (the emulator) and v1 issuers', () => {
    assert.equal(issuerMatches(`https://localhost:8443/${TID}/v2.0`, `https://localhost:8443/${TID}/v2.0`, TID), true);
    assert.equal(issuerMatches(`https://sts.windows.net/${TID}/`, `https://sts.windows.net/${TID}/`, TID), true);
    assert.equal(issuerMatches(`https://sts.windows.net/${TID}/`, `https://sts.windows.net/${TID}/`, 'other'), false);
    assert.equal(tenantFromIssuer(`https://localhost:8443/${TID}/v2.0`), TID);
    assert.equal(tenantFromIssuer(`https://sts.windows.net/${TID}/`), TID);
    assert.equal(tenantFromIssuer('https://example.test/'), undefined);
  });

  it('pairs a v2 issuer with its v1 issuer', () => {
    assert.equal(v1IssuerFor(`https://localhost:8443/${TID}/v2.0`), `https://sts.windows.net/${TID}/`);
    assert.equal(v1IssuerFor('https://login.microsoftonline.com/{tenantid}/v2.0'), 'https://sts.windows.net/{tenantid}/');
    assert.equal(v1IssuerFor('https://accounts.example.test'), undefined);
  });

  it('checks tenants case-insensitively against an optional allow-list', () => {
    assert.equal(isTenantAllowed(TID, undefined), true);
    assert.equal(isTenantAllowed(TID, [TID.toUpperCase()]), true);
    assert.equal(isTenantAllowed(TID, []), false);
  });
});
