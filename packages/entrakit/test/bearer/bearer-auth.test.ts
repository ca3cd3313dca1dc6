import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { decodeJwt } from 'jose';
import { createBearerAuthenticator } from '../../src/bearer/index.ts';
import { bearerAuth } from '../../src/bearer/hono.ts';
import type { BearerEnv } from '../../src/bearer/hono.ts';
import { createDiscoveryClient } from '../../src/core/discovery/discovery-client.ts';
import { API_MAX_HEADER_BYTES } from '../../../../apps/api/server.ts';
import { startEmulatorTokens } from '../core/helpers/emulator-tokens.ts';
import type { EmulatorTokens } from '../core/helpers/emulator-tokens.ts';

const OTHER_TENANT_ID = '22222222-2222-4222-8222-222222222222';
const STEP_UP_CLAIMS = Buffer.from('{"access_token":{"acrs":{"essential":true,"value":"c1"}}}').toString('base64');

/** One HTTP/1.1 request written byte for byte, so repeated header lines reach the server as sent. */
function rawRequest(origin: string, path: string, headerLines: string[]): Promise<{ status: number; headers: Map<string, string>; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.write([`GET ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, ...headerLines, 'Connection: close', '', ''].join('\r\n'));
  });
}

/** node:http with a raw header list: Node writes one Authorization line per value. */
function arrayHeaderRequest(origin: string, path: string, values: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // Node's OutgoingHttpHeaders types Authorization as one string; the raw list form repeats it.
    // In the raw list form Node adds no Host header itself.
    const headers = ['Host', new URL(origin).host, ...values.flatMap((value) => ['Authorization', value])];
    const req = httpRequest(`${origin}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

// Both ways a Hono app runs: in-process (web-standard Request, as on Deno, Bun or workers) and
// behind @hono/node-server over real HTTP.
for (const transport of ['in-process', '@hono/node-server'] as const) describe(`bearerAuth (Hono) on emulator tokens, ${transport}`, () => {
  let env: EmulatorTokens;
  let app: Hono<BearerEnv>;
  let server: ServerType | undefined;
  let origin = '';
  let userToken: string;
  let appToken: string;
  let idToken: string;
  let authorizationEndpoint: string;
  const seenByOnError: HTTPException[] = [];
  const call = (path: string, authorization?: string): Promise<Response> => {
    const init: RequestInit = { headers: authorization === undefined ? {} : { authorization } };
    return transport === 'in-process' ? Promise.resolve(app.request(path, init)) : fetch(`${origin}${path}`, init);
  };

  before(async () => {
    env = await startEmulatorTokens();
    ({ accessToken: userToken, idToken } = await env.signIn('adele'));
    appToken = await env.appToken();
    authorizationEndpoint = (await createDiscoveryClient().getMetadata(env.discoveryUrl)).authorization_endpoint;
    const auth = createBearerAuthenticator({ discoveryUrls: [env.discoveryUrl], audiences: [env.apiClientId, env.apiAppIdUri], realm: 'stories-api' });
    app = new Hono<BearerEnv>();
    app.get('/stories', bearerAuth(auth, { principal: 'user', scopes: ['user_impersonation'] }), (c) => c.json(c.get('principal')));
    app.get('/write', bearerAuth(auth, { scopes: ['Stories.Write'] }), (c) => c.json({ ok: true }));
    app.get('/admin', bearerAuth(auth, { roles: ['Api.Admin'], principal: 'app' }), (c) => c.json({ ok: true }));
    app.get('/any', bearerAuth(auth), (c) => c.json({ kind: c.get('principal').kind }));
    app.get('/step-up', bearerAuth(auth, { scopes: ['user_impersonation'], authContext: 'c1' }), (c) => c.json({ ok: true }));
    app.get('/broken', bearerAuth(auth), () => {
      throw new Error('handler failure');
    });
    app.onError((error, c) => {
      // bearerAuth throws HTTPException with the answer and the library error as its cause.
      if (error instanceof HTTPException) {
        seenByOnError.push(error);
        return error.getResponse();
      }
      return c.json({ handlerError: error.message }, 500);
    });
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
    await env.close();
  });

  it('answers a missing header with 401 and a bare challenge (no error attribute)', async () => {
    const res = await call('/stories');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="stories-api"');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { error: 'unauthorized', error_description: 'A bearer access token is required' });
  });

  it('hands the failure to app.onError as HTTPException, its cause the library error', async () => {
    seenByOnError.length = 0;
    const res = await call('/stories', `Bearer ${appToken}`);
    assert.equal(res.status, 403);
    assert.equal(seenByOnError.length, 1);
    const [exception] = seenByOnError;
    assert.equal(exception?.status, 403);
    assert.equal((exception?.cause as { code?: unknown }).code, 'BEARER_PRINCIPAL_NOT_ALLOWED');
    assert.equal(exception?.getResponse().headers.get('www-authenticate')?.startsWith('Bearer realm="stories-api", error="insufficient_scope"'), true);
  });

  it('treats another scheme as missing bearer credentials', async () => {
    const res = await call('/stories', 'Basic dXNlcjpwYXNz');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="stories-api"');
  });

  it('answers a malformed Authorization header with invalid_request', async () => {
    const description = 'The Authorization header must be "Bearer" followed by one token';
    for (const header of ['Bearer', 'Bearer a b', 'Bearer a,b', 'Bearer "a"', `Bearer ${userToken}, Bearer ${appToken}`]) {
      const res = await call('/stories', header);
      assert.equal(res.status, 400, header);
      assert.equal(res.headers.get('www-authenticate'), `Bearer realm="stories-api", error="invalid_request", error_description="${description.replaceAll('"', '?')}"`);
      assert.deepEqual(await res.json(), { error: 'invalid_request', error_description: description });
    }
  });

  it('lets a valid v2 user token through and exposes the principal', async () => {
    const res = await call('/stories', `Bearer ${userToken}`);
    assert.equal(res.status, 200);
    const principal = (await res.json()) as Record<string, unknown>;
    assert.equal(principal['objectId'], env.oid('adele'));
    assert.equal(principal['tenantId'], env.tenantId);
    assert.deepEqual(principal['scopes'], ['user_impersonation']);
  });

  it('lets a valid v1 token (sts.windows.net issuer derived from discovery) through', async () => {
    const v1 = await env.resign(userToken, { iss: env.v1Issuer, aud: env.apiAppIdUri, ver: '1.0', appid: env.webClientId, azp: undefined });
    const res = await call('/stories', `bearer ${v1}`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as Record<string, unknown>)['tokenVersion'], '1.0');
  });

  it('answers 403 insufficient_scope when an app-only token calls a user route', async () => {
    const res = await call('/stories', `Bearer ${appToken}`);
    assert.equal(res.status, 403);
    const description = 'This resource requires a signed-in user; app-only tokens are not accepted';
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="stories-api", error="insufficient_scope", error_description="${description}"`);
    assert.deepEqual(await res.json(), { error: 'insufficient_scope', error_description: description });
  });

  it('answers 403 insufficient_scope with the scope attribute when a scope is missing', async () => {
    const res = await call('/write', `Bearer ${userToken}`);
    assert.equal(res.status, 403);
    const description = 'The token lacks a required permission (any of: scope Stories.Write)';
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="stories-api", error="insufficient_scope", error_description="${description}", scope="Stories.Write"`);
  });

  it('accepts an app role for an app route and refuses a user holding the same role there', async () => {
    assert.equal((await call('/admin', `Bearer ${appToken}`)).status, 200);
    assert.equal((await call('/admin', `Bearer ${await env.resign(appToken, { roles: ['Other'] })}`)).status, 403);
    assert.deepEqual(decodeJwt(userToken).roles, ['Api.Admin']);
    assert.equal((await call('/admin', `Bearer ${userToken}`)).status, 403);
  });

  it('answers invalid_token for expired, malformed, oversized, ID, Graph and foreign tokens', async () => {
    const iat = Number(decodeJwt(userToken).iat);
    const cases: Array<[string, string]> = [
      [await env.resign(userToken, { iat: iat - 7200, nbf: iat - 7200, exp: iat - 3600 }), 'Token has expired'],
      ['aGVsbG8.d29ybGQ', 'Token must have 3 dot-separated segments, found 2'],
      [`${'a'.repeat(17_000)}.b.c`, 'Token is larger than 16384 bytes'],
      [await env.resign(idToken, { aud: env.apiClientId }), 'Token is an ID token (it has a nonce); send an access token'],
      [await env.resign(userToken, {}, { nonce: 'x' }), 'Token is a Microsoft Graph token, not a token for this API'],
      [await env.resign(userToken, { iss: env.issuer.replace(env.tenantId, OTHER_TENANT_ID), tid: OTHER_TENANT_ID }), 'Token issuer is not trusted by this API'],
      [await env.resign(userToken, {}, {}, await env.strangerKey()), 'Token signature is invalid'],
    ];
    for (const [token, description] of cases) {
      const res = await call('/any', `Bearer ${token}`);
      assert.equal(res.status, 401, description);
      assert.equal(res.headers.get('www-authenticate'), `Bearer realm="stories-api", error="invalid_token", error_description="${description}"`);
      assert.deepEqual(await res.json(), { error: 'invalid_token', error_description: description });
    }
  });

  it('step-up: answers a token without acrs c1 with Entra\'s claims challenge, and lets acrs c1 through', async () => {
    const res = await call('/step-up', `Bearer ${userToken}`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="stories-api", authorization_uri="${authorizationEndpoint}", error="insufficient_claims", claims="${STEP_UP_CLAIMS}"`);
    assert.deepEqual(await res.json(), {
      error: 'insufficient_claims',
      error_description: 'This resource requires the authentication context c1; acquire a new token with the claims challenge',
    });
    assert.equal((await call('/step-up', `Bearer ${await env.resign(userToken, { acrs: ['c1'] })}`)).status, 200);
    assert.equal((await call('/step-up', `Bearer ${await env.resign(userToken, { acrs: ['c1'], scp: 'other' })}`)).status, 403);
  });

  it('leaves errors thrown by the route handler to the app', async () => {
    const res = await call('/broken', `Bearer ${userToken}`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { handlerError: 'handler failure' });
  });

  it('does not echo token content in the challenge', async () => {
    const evil = await env.resign(userToken, { iss: 'https://evil.test/"\r\nX-Injected: 1' });
    const res = await call('/any', `Bearer ${evil}`);
    assert.equal(res.status, 401);
    assert.doesNotMatch(res.headers.get('www-authenticate') ?? '', /evil|Injected/);
  });

  it('answers repeated Authorization headers with 400 invalid_request, in either order (RFC 6750 3.1)', async () => {
    assert.equal((await call('/any', `Bearer ${userToken}`)).status, 200); // the valid token is now cached
    const description = 'The Authorization header must be "Bearer" followed by one token';
    for (const values of [[`Bearer ${userToken}`, 'Bearer garbage'], ['Bearer garbage', `Bearer ${userToken}`], [`Bearer ${userToken}`, `Bearer ${userToken}`]]) {
      if (transport === 'in-process') {
        const headers = new Headers();
        for (const value of values) headers.append('authorization', value);
        const res = await app.fetch(new Request('http://api.test/any', { headers }));
        assert.equal(res.status, 400);
        assert.deepEqual(await res.json(), { error: 'invalid_request', error_description: description });
        continue;
      }
      const raw = await rawRequest(origin, '/any', values.map((value) => `Authorization: ${value}`));
      assert.equal(raw.status, 400);
      assert.equal(raw.headers.get('www-authenticate'), `Bearer realm="stories-api", error="invalid_request", error_description="${description.replaceAll('"', '?')}"`);
      assert.deepEqual(JSON.parse(raw.body), { error: 'invalid_request', error_description: description });
      const array = await arrayHeaderRequest(origin, '/any', values);
      assert.equal(array.status, 400);
      assert.deepEqual(JSON.parse(array.body), { error: 'invalid_request', error_description: description });
    }
  });
});
