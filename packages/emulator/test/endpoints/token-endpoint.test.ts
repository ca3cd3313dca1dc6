import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TENANT_ID, errorCode, startTestEmulator, type TestEmulator } from '../grants/helpers.ts';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator();
});
after(() => t.close());

async function raw(body: string | undefined, headers: Record<string, string>, path = `/${TENANT_ID}/oauth2/v2.0/token`): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${t.emulator.url}${path}`, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe('token endpoint', () => {
  test('only form bodies: JSON, empty and missing grant_type are 900144 with no-store headers', async () => {
    const web = t.emulator.devJson.apps.web;
    const json = await raw(JSON.stringify({ grant_type: 'client_credentials', client_id: web.clientId }), { 'content-type': 'application/json' });
    assert.equal(json.status, 400);
    assert.equal(json.body['error'], 'invalid_request');
    assert.equal(errorCode(json), 900144);
    assert.match(json.body['error_description'] as string, /^AADSTS900144: .*'grant_type'.* Trace ID: .* Correlation ID: .* Timestamp: /);
    assert.equal(json.headers.get('cache-control'), 'no-store');
    assert.equal(json.headers.get('pragma'), 'no-cache');
    assert.equal(errorCode(await raw(undefined, {})), 900144);
    assert.equal(errorCode(await raw('client_id=x', { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' })), 900144);
  });

  test('unsupported grant types are 70003; duplicated parameters are refused', async () => {
    for (const grant of ['implicit', 'urn:ietf:params:oauth:grant-type:saml2-bearer', 'constructor', '__proto__']) {
      const reply = await t.post({ grant_type: grant, client_id: 'x' });
      assert.equal(reply.status, 400, grant);
      assert.equal(reply.body['error'], 'unsupported_grant_type', grant);
      assert.equal(errorCode(reply), 70003, grant);
    }
    const dup = await raw('grant_type=client_credentials&grant_type=refresh_token', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(dup.status, 400);
    assert.equal(errorCode(dup), 9002313);
  });

  test('unknown tenants are 90002', async () => {
    const reply = await t.post({ grant_type: 'client_credentials' }, {}, 'nobody.example');
    assert.equal(reply.status, 400);
    assert.equal(errorCode(reply), 90002);
  });

  test('garbage never produces a 500', async () => {
    const web = t.emulator.devJson.apps.web;
    // [body, status, error, AADSTS code]
    const cases: Array<[string, number, string, number]> = [
      ['%%%%', 400, 'invalid_request', 900144],
      ['grant_type=authorization_code&code=%ZZ', 400, 'invalid_request', 900144],
      [`grant_type=authorization_code&client_id=${web.clientId}&client_secret=${encodeURIComponent(web.clientSecret)}&code=${'a'.repeat(5000)}&redirect_uri=x&code_verifier=y`, 400, 'invalid_grant', 9002313],
      [`grant_type=refresh_token&client_id=${web.clientId}&client_secret=${encodeURIComponent(web.clientSecret)}&refresh_token=${encodeURIComponent('{"a":1}')}`, 400, 'invalid_grant', 70000],
      [`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&requested_token_use=on_behalf_of&client_id=${web.clientId}&client_secret=${encodeURIComponent(web.clientSecret)}&scope=User.Read&assertion=e30.e30.e30`, 400, 'invalid_grant', 50013],
      [`grant_type=client_credentials&client_id=${web.clientId}&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=e30.e30.`, 401, 'invalid_client', 700027],
      [`grant_type=client_credentials&client_id=${web.clientId}&client_secret=${encodeURIComponent(web.clientSecret)}&scope=${encodeURIComponent('/.default //.default')}`, 400, 'invalid_resource', 500011],
      [`grant_type=client_credentials&client_id=${web.clientId}&client_secret=${encodeURIComponent(web.clientSecret)}&scope=${encodeURIComponent('https://graph.microsoft.com/')}`, 400, 'invalid_scope', 1002012],
    ];
    for (const [body, status, error, code] of cases) {
      const reply = await raw(body, { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(reply.status, status, body.slice(0, 80));
      assert.equal(reply.body['error'], error, body.slice(0, 80));
      assert.equal(errorCode({ status: reply.status, headers: reply.headers, body: reply.body }), code, body.slice(0, 80));
    }
    const basic = await raw('grant_type=client_credentials&scope=x', { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}` });
    assert.equal(basic.status, 400);
    assert.equal(errorCode({ status: basic.status, headers: basic.headers, body: basic.body }), 9002313);
  });
});
