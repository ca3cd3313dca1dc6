/**
 * What the pages say, checked against what is true: Home's demo accounts (all five, and where the
 * passwords really are), the emulator's /error page for something that is not a code, the request
 * log page's three filters, and app_displayname as the documented claim it is.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { explainClaims, UNKNOWN_CLAIM_MEANING } from 'entrakit';
import { startEmulator } from '../../../packages/emulator/src/server.ts';
import type { RunningEmulator } from '../../../packages/emulator/src/server.ts';
import { homePage } from '../../web/views/home-page.ts';

describe('Home', () => {
  it('lists all five demo accounts and says where the passwords are', () => {
    const page = String(homePage({ signedInAs: null, notice: undefined, verdict: undefined, idpHost: 'localhost:8443', demoAccounts: true }));
    for (const who of ['adele', 'alex', 'megan', 'nestor', 'admin']) assert.ok(page.includes(`${who}@entrakitdemo.onmicrosoft.com`), who);
    assert.doesNotMatch(page, /on its sign-in page/);
    assert.match(page, /dev\.json/);
    assert.match(page, /npm start/);
  });
});

describe('the emulator pages', () => {
  let emulator: RunningEmulator;
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'entrakit-words-'));
    emulator = await startEmulator({ dataDir, port: 0, trustCa: true });
  });
  after(async () => {
    await emulator?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('/error?code=abc says it is not an AADSTS code', async () => {
    const response = await fetch(`${emulator.url}/error?code=abc`);
    const html = await response.text();
    assert.equal(response.status, 400);
    assert.match(html, /<h1>Not an AADSTS code<\/h1>/);
    assert.match(html, /<code>abc<\/code> is not an AADSTS code/);
    assert.doesNotMatch(html, /AADSTSabc/);
    assert.doesNotMatch(html, /never answers with this code/);
    const unknown = await (await fetch(`${emulator.url}/error?code=12345`)).text();
    assert.match(unknown, /This emulator never answers with this code/, 'a number it does not use is still a code');
  });

  it('the request log page filters by clientRequestId, clientId and endpoint', async () => {
    const adminKey = emulator.devJson.emulator.adminKey ?? '';
    // Two requests: a discovery-free token call for each of two clients.
    const { web, api } = emulator.devJson.apps;
    for (const app of [web, api]) {
      await fetch(`${emulator.devJson.authority}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'client-request-id': '0af7651e-6a4b-4c2e-9d0f-3b1c2d4e5f60' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
      });
    }
    const page = async (query: string) => {
      const response = await fetch(`${emulator.url}/_admin/requests?${query}`, { headers: { 'x-entrakit-admin': adminKey, accept: 'text/html' } });
      assert.equal(response.status, 200);
      return response.text();
    };
    const all = await page('');
    for (const name of ['clientRequestId', 'clientId', 'endpoint']) assert.match(all, new RegExp(`name="${name}"`), `a ${name} field`);
    const byClient = await page(`clientId=${web.clientId}`);
    assert.match(byClient, new RegExp(`name="clientId" value="${web.clientId}"`), 'the filter is shown as applied');
    assert.ok(byClient.includes(`<code>${web.clientId}</code>`) && !byClient.includes(`<code>${api.clientId}</code>`), 'only the web app\'s request');
    const byEndpoint = await page('endpoint=authorize');
    assert.match(byEndpoint, /<option value="authorize" selected>/);
    assert.match(byEndpoint, /No requests recorded yet/, 'no authorize request was made');
  });
});

describe('app_displayname', () => {
  it('is explained as the optional access-token claim Entra documents', () => {
    const [row] = explainClaims({ app_displayname: 'entrakit web' });
    assert.notEqual(row?.meaning, UNKNOWN_CLAIM_MEANING);
    assert.match(row?.meaning ?? '', /optional access-token claim/);
  });
});
