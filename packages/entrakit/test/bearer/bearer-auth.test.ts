import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { bearerAuth, createBearerAuthenticator } from '../../src/bearer/index.ts';
import type { BearerEnv } from '../../src/bearer/index.ts';
import { API_MAX_HEADER_BYTES } from '../../../../apps/api/server.ts';
import {
  API_APP_ID_URI, API_CLIENT_ID, clock, NOW_SEC, OTHER_TENANT_ID, startTestIdentityProvider, TENANT_ID, USER_OID,
} from '../core/tokens/helpers/test-identity-provider.ts';
import type { TestIdentityProvider } from '../core/tokens/helpers/test-identity-provider.ts';

// Both ways a Hono app runs: in-process (web-standard Request) and behind @hono/node-server, where
// the middleware reads Node's own headers.
for (const transport of ['in-process', '@hono/node-server'] as const) describe(`bearerAuth (Hono) with a discovery-based policy, ${transport}`, () => {
  let idp: TestIdentityProvider;
  let app: Hono<BearerEnv>;
  let server: ServerType | undefined;
  let origin = '';
  const call = (path: string, authorization?: string): Promise<Response> => {
    const init: RequestInit = { headers: authorization === undefined ? {} : { authorization } };
    return transport === 'in-process' ? Promise.resolve(app.request(path, init)) : fetch(`${origin}${path}`, init);
  };

  before(async () => {
    idp = await startTestIdentityProvider();
    const auth = createBearerAuthenticator(
      { discoveryUrls: [idp.discoveryUrl], audiences: [API_CLIENT_ID, API_APP_ID_URI], realm: 'stories-api' },
      { clock },
    );
    app = new Hono<BearerEnv>();
    app.get('/stories', bearerAuth(auth, { principal: 'user', scopes: ['Stories.Read'] }), (c) => c.json(c.get('principal')));
    app.get('/write', bearerAuth(auth, { scopes: ['Stories.Write'] }), (c) => c.json({ ok: true }));
    app.get('/admin', bearerAuth(auth, { roles: ['Stories.Admin'], principal: 'app' }), (c) => c.json({ ok: true }));
    app.get('/any', bearerAuth(auth), (c) => c.json({ kind: c.get('principal').kind }));
    app.get('/broken', bearerAuth(auth), () => {
      throw new Error('handler failure');
    });
    app.onError((error, c) => c.json({ handlerError: error.message }, 500));
    if (transport === '@hono/node-server') {
      await new Promise<void>((resolve) => {
        // The API server's header limit, so an oversized token reaches the middleware (not Node's 431).
        server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', serverOptions: { maxHeaderSize: API_MAX_HEADER_BYTES } }, (info) => {
          origin = `http://127.0.0.1:${info.port}`;
          resolve();
        });
      });
    }
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await idp.close();
  });

  it('answers a missing header with 401 and a bare challenge (no error attribute)', async () => {
    const res = await call('/stories');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="stories-api"');
    assert.deepEqual(await res.json(), { error: 'unauthorized', error_description: 'A bearer access token is required' });
  });

  it('treats another scheme as missing bearer credentials', async () => {
    const res = await call('/stories', 'Basic dXNlcjpwYXNz');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="stories-api"');
  });

  it('answers a malformed Authorization header with invalid_request', async () => {
    for (const header of ['Bearer', 'Bearer a b', 'Bearer a,b', 'Bearer "a"']) {
      const res = await call('/stories', header);
      assert.equal(res.status, 400, header);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="stories-api", error="invalid_request", error_description="/);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
    }
  });

  it('lets a valid v2 user token through and exposes the principal', async () => {
    const res = await call('/stories', `Bearer ${await idp.sign(idp.accessTokenV2Claims())}`);
    assert.equal(res.status, 200);
    const principal = (await res.json()) as Record<string, unknown>;
    assert.equal(principal['objectId'], USER_OID);
    assert.equal(principal['tenantId'], TENANT_ID);
    assert.deepEqual(principal['scopes'], ['Stories.Read', 'User.Read']);
  });

  it('lets a valid v1 token (sts.windows.net issuer derived from discovery) through', async () => {
    const res = await call('/stories', `bearer ${await idp.sign(idp.accessTokenV1Claims())}`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as Record<string, unknown>)['tokenVersion'], '1.0');
  });

  it('answers 403 insufficient_scope when an app-only token calls a user route', async () => {
    const res = await call('/stories', `Bearer ${await idp.sign(idp.appTokenV2Claims())}`);
    assert.equal(res.status, 403);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
    assert.equal(((await res.json()) as { error: string }).error, 'insufficient_scope');
  });

  it('answers 403 insufficient_scope with the scope attribute when a scope is missing', async () => {
    const res = await call('/write', `Bearer ${await idp.sign(idp.accessTokenV2Claims())}`);
    assert.equal(res.status, 403);
    const header = res.headers.get('www-authenticate') ?? '';
    assert.match(header, /^Bearer realm="stories-api", error="insufficient_scope", error_description="[^"]+", scope="Stories.Write"$/);
  });

  it('accepts an app role for an app route and refuses a user there', async () => {
    const app403 = await call('/admin', `Bearer ${await idp.sign(idp.appTokenV2Claims())}`);
    assert.equal(app403.status, 403);
    const admin = await call('/admin', `Bearer ${await idp.sign(idp.appTokenV2Claims({ roles: ['Stories.Admin'] }))}`);
    assert.equal(admin.status, 200);
    const user = await call('/admin', `Bearer ${await idp.sign(idp.accessTokenV2Claims({ roles: ['Stories.Admin'] }))}`);
    assert.equal(user.status, 403);
  });

  it('answers invalid_token for expired, malformed, oversized, ID and Graph tokens', async () => {
    const cases: Array<[string, string]> = [
      [await idp.sign(idp.accessTokenV2Claims({ exp: NOW_SEC - 3600 })), 'Token has expired'],
      ['aGVsbG8.d29ybGQ', 'Token must have 3 dot-separated segments, found 2'],
      [`${'a'.repeat(17_000)}.b.c`, 'Token is larger than 16384 bytes'],
      [await idp.sign(idp.idTokenClaims({ aud: API_CLIENT_ID })), 'Token is an ID token (it has a nonce); send an access token'],
      [await idp.sign(idp.accessTokenV1Claims({ aud: 'https://graph.microsoft.com' }), { header: { nonce: 'x' } }), 'Token is a Microsoft Graph token, not a token for this API'],
      [await idp.sign(idp.accessTokenV2Claims({ iss: idp.issuerFor(OTHER_TENANT_ID), tid: OTHER_TENANT_ID })), 'Token issuer is not trusted by this API'],
    ];
    for (const [token, description] of cases) {
      const res = await call('/any', `Bearer ${token}`);
      assert.equal(res.status, 401, description);
      assert.equal(res.headers.get('www-authenticate'), `Bearer realm="stories-api", error="invalid_token", error_description="${description}"`);
      assert.deepEqual(await res.json(), { error: 'invalid_token', error_description: description });
    }
  });

  it('leaves errors thrown by the route handler to the app', async () => {
    const res = await call('/broken', `Bearer ${await idp.sign(idp.accessTokenV2Claims())}`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { handlerError: 'handler failure' });
  });

  it('does not echo token content in the challenge', async () => {
    const evil = await idp.sign(idp.accessTokenV2Claims({ iss: 'https://evil.test/"\r\nX-Injected: 1' }));
    const res = await call('/any', `Bearer ${evil}`);
    assert.equal(res.status, 401);
    assert.doesNotMatch(res.headers.get('www-authenticate') ?? '', /evil|Injected/);
  });
});
