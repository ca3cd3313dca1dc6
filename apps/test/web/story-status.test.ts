/**
 * /story when the API or the storage behind it fails: the page is still rendered (it names the
 * cause and shows the trace), but its status is the upstream class (502, or 503 when the API says
 * it is unavailable), so monitors and health checks do not read success.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApi } from '../../api/server.ts';
import { storyPageStatus } from '../../web/routes/story.ts';
import { createBrowser, startEmulatorWeb } from './helpers/emulator-web.ts';
import type { EmulatorWeb } from './helpers/emulator-web.ts';

let env: EmulatorWeb;

before(async () => {
  env = await startEmulatorWeb();
});

after(async () => {
  await env.close();
});

/** Signs adele in with the API scope and opens /story against the API at apiUrl. */
async function storyAgainst(apiUrl: string): Promise<{ status: number; html: string }> {
  const web = await env.startInstance({ env: { API_SCOPE: env.emulator.devJson.apps.api.scope, API_URL: apiUrl } });
  try {
    const browser = createBrowser(env, web);
    const start = await browser.get('/auth/sign-in/api?returnTo=%2Fstory');
    assert.equal((await browser.get(await browser.authorize(start.headers.get('location') ?? '', 'adele'))).status, 302);
    const response = await browser.get('/story');
    return { status: response.status, html: await response.text() };
  } finally {
    await web.close();
  }
}

describe('/story status when something upstream fails', () => {
  it('502 with the page when the API cannot be reached', async () => {
    const { status, html } = await storyAgainst('http://127.0.0.1:9');
    assert.equal(status, 502);
    assert.match(html, /could not be reached/);
    assert.match(html, /<h1>Your story<\/h1>/, 'the page itself is rendered');
  });

  it('502 with the page and the trace when the storage behind the real API fails', async () => {
    // The real API, On-Behalf-Of through the emulator, then a Blob Storage URL nothing listens on.
    const api = await startApi({
      env: { LOG_LEVEL: 'silent', STORAGE_BLOB_URL: 'https://127.0.0.1:9/devstoreaccount1' },
      dataDir: join(env.dataDir, 'emulator'),
      port: 0,
      host: '127.0.0.1',
    });
    try {
      const { status, html } = await storyAgainst(api.url);
      assert.equal(status, 502, html.slice(0, 400));
      assert.match(html, /The API answered HTTP 502/);
      assert.match(html, /storage_unavailable|Blob Storage|storage/i);
      assert.match(html, /502 this page/, 'the trace says what the browser got');
      assert.doesNotMatch(html, /200 this page/);
    } finally {
      await api.close();
    }
  });

  it('503 with the page when the API answers 503', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
      response.end(JSON.stringify({ error: 'temporarily_unavailable', error_description: 'The API is restarting' }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { status, html } = await storyAgainst(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      assert.equal(status, 503);
      assert.match(html, /The API answered HTTP 503/);
      assert.match(html, /The API is restarting/);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});

describe('storyPageStatus', () => {
  it('is 200 only for an answer the page can show as success', () => {
    assert.deepEqual([200, 204, 404, 401, 403, 500, 502, 503, 504].map(storyPageStatus), [200, 200, 200, 502, 502, 502, 502, 503, 502]);
  });
});
