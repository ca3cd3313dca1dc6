import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { graphError, startGraphTestEnv, TENANT_ID, type GraphTestEnv } from './helpers/graph-test-env.ts';

let env: GraphTestEnv;
before(async () => {
  env = await startGraphTestEnv();
});
after(async () => {
  await env.close();
});

describe('GET /v1.0/me', () => {
  test('returns the signed-in user with User.Read, in Graph shape', async () => {
    const response = await env.get('/v1.0/me', await env.delegatedToken({ scp: 'openid profile email User.Read' }));
    assert.equal(response.status, 200);
    assert.ok(response.headers.get('request-id'));
    assert.deepEqual(await response.json(), {
      '@odata.context': `${env.emulator.url}/v1.0/$metadata#users/$entity`,
      businessPhones: [],
      displayName: 'Adele Vance',
      givenName: 'Adele',
      jobTitle: 'Identity Engineer',
      mail: 'adele@entrakitdemo.onmicrosoft.com',
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      surname: 'Vance',
      userPrincipalName: 'adele@entrakitdemo.onmicrosoft.com',
      id: env.userId('adele'),
    });
  });

  test('$select returns only the selected properties', async () => {
    const response = await env.get('/v1.0/me?$select=displayName,id,accountEnabled', await env.delegatedToken({ scp: 'User.Read' }));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      '@odata.context': `${env.emulator.url}/v1.0/$metadata#users(displayName,id,accountEnabled)/$entity`,
      displayName: 'Adele Vance',
      id: env.userId('adele'),
      accountEnabled: true,
    });
  });

  test('$select of an unknown property is 400 Request_BadRequest', async () => {
    const response = await env.get('/v1.0/me?$select=displayName,passwordProfile', await env.delegatedToken({ scp: 'User.Read' }));
    assert.equal(response.status, 400);
    const error = await graphError(response);
    assert.equal(error.code, 'Request_BadRequest');
    assert.equal(error.message, "Could not find a property named 'passwordProfile' on type 'microsoft.graph.user'.");
  });

  test('a token without a user permission is 403 Authorization_RequestDenied', async () => {
    const response = await env.get('/v1.0/me', await env.delegatedToken({ scp: 'openid profile' }));
    assert.equal(response.status, 403);
    const error = await graphError(response);
    assert.equal(error.code, 'Authorization_RequestDenied');
    assert.equal(error.message, 'Insufficient privileges to complete the operation.');
  });

  test('an app-only token is 400: /me needs a signed-in user', async () => {
    const response = await env.get('/v1.0/me', await env.appToken({ roles: ['User.Read.All'] }));
    assert.equal(response.status, 400);
    assert.equal((await graphError(response)).code, 'BadRequest');
  });
});

describe('Graph token validation', () => {
  async function expect401(token: string | undefined, message: string, headers: Record<string, string> = {}) {
    const response = await env.get('/v1.0/me', token, headers);
    assert.equal(response.status, 401);
    assert.equal(
      response.headers.get('www-authenticate'),
      `Bearer realm="", authorization_uri="${env.emulator.url}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
    );
    const error = await graphError(response);
    assert.equal(error.code, 'InvalidAuthenticationToken');
    assert.equal(error.message, message);
    return error;
  }
  const now = () => Math.floor(Date.now() / 1000);

  test('no token: 401 with the WWW-Authenticate challenge, echoing client-request-id', async () => {
    const error = await expect401(undefined, 'Access token is empty.', { 'client-request-id': 'abc-123' });
    assert.equal(error.innerError['client-request-id'], 'abc-123');
  });

  test('not a JWT, or not Bearer: 401', async () => {
    await expect401('not-a-jwt', 'Invalid JWT token. The token is not in JWS compact format.');
    const token = await env.delegatedToken({ scp: 'User.Read' });
    const response = await fetch(`${env.emulator.url}/v1.0/me`, { headers: { authorization: `Basic ${token}` } });
    assert.equal(response.status, 401);
    assert.equal((await graphError(response)).code, 'InvalidAuthenticationToken');
  });

  test('a token signed by another key (same kid) is 401', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const { kid } = await env.emulator.deps.keys.activeKey();
    const token = await new SignJWT({ aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${TENANT_ID}/`, tid: TENANT_ID, oid: env.userId('adele'), appid: 'x', scp: 'User.Read', iat: now(), nbf: now(), exp: now() + 600 })
      .setProtectedHeader({ alg: 'RS256', kid, x5t: kid, typ: 'JWT' })
      .sign(privateKey);
    await expect401(token, 'Access token validation failure. Invalid signature.');
  });

  test('an unsigned (alg none) or HS256 token is 401', async () => {
    const claims = { aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${TENANT_ID}/`, tid: TENANT_ID, oid: env.userId('adele'), appid: 'x', scp: 'User.Read', iat: now(), nbf: now(), exp: now() + 600 };
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    await expect401(`${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`, 'Invalid JWT token. The token is not in JWS compact format.');
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: (await env.emulator.deps.keys.activeKey()).kid }).sign(new Uint8Array(32));
    await expect401(hs, 'Access token validation failure. Unsupported signing algorithm.');
  });

  test('an expired token is 401; one not yet valid too', async () => {
    await expect401(await env.delegatedToken({ scp: 'User.Read', claims: { iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 } }), 'Access token has expired or is not yet valid.');
    await expect401(await env.delegatedToken({ scp: 'User.Read', claims: { nbf: now() + 3600, exp: now() + 7200 } }), 'Access token has expired or is not yet valid.');
  });

  test('an ID-token-shaped token (v2 issuer, client audience) is 401', async () => {
    const token = await env.delegatedToken({ scp: 'User.Read', claims: { iss: `${env.emulator.url}/${TENANT_ID}/v2.0`, ver: '2.0' } });
    await expect401(token, 'Access token validation failure. Invalid issuer.');
  });

  test('a token for another audience is 401', async () => {
    await expect401(await env.delegatedToken({ scp: 'User.Read', claims: { aud: 'https://storage.azure.com' } }), 'Access token validation failure. Invalid audience.');
  });

  test('a token of an unknown tenant is 401', async () => {
    const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    await expect401(await env.delegatedToken({ scp: 'User.Read', claims: { tid, iss: `https://sts.windows.net/${tid}/` } }), 'Access token validation failure. Invalid issuer.');
  });

  test('a token with neither scp nor roles is 401', async () => {
    await expect401(await env.appToken({ roles: [], claims: { roles: undefined } }), 'Either scp or roles claim need to be present in the token.');
  });

  test('Graph audience aliases are accepted: the appId and a trailing slash', async () => {
    for (const aud of ['00000003-0000-0000-c000-000000000000', 'https://graph.microsoft.com/']) {
      const response = await env.get('/v1.0/me?$select=id', await env.delegatedToken({ scp: 'User.Read', claims: { aud } }));
      assert.equal(response.status, 200, aud);
    }
  });

  test("Graph's header nonce is part of the signature: a changed nonce is 401, a token without one still verifies", async () => {
    const token = await env.delegatedToken({ scp: 'User.Read' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const fields = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
    const changed = `${Buffer.from(JSON.stringify({ ...fields, nonce: 'another-nonce' })).toString('base64url')}.${payload}.${signature}`;
    await expect401(changed, 'Access token validation failure. Invalid signature.');
    const withoutNonce = await env.delegatedToken({ scp: 'User.Read', header: { nonce: undefined } });
    assert.equal((await env.get('/v1.0/me?$select=id', withoutNonce)).status, 200);
  });

  test('an oversized token is 401, not 500', async () => {
    await expect401(`${'a'.repeat(13_000)}.b.c`, 'Invalid JWT token. The token is not in JWS compact format.');
  });
});
