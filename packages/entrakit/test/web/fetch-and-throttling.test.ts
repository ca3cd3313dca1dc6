/**
 * entra.fetch against an API on this machine (plain http to loopback only) and Microsoft Graph's
 * throttling guidance (429, or 503 with Retry-After: wait, retry, bounded). Tokens come from the
 * real emulator through a real sign-in; the throttling API is a small local server that answers
 * what each test queues.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startTestEmulator } from '../../../emulator/test/helpers/emulator.ts';
import type { RunningEmulator } from '../../../emulator/src/server.ts';
import { stableGuid } from '../../../emulator/src/directory/ids.ts';
import { isEntrakitError } from '../../src/core/errors.ts';
import { createWebAuth } from '../../src/web/index.ts';
import type { CreatedWebAuth, WebAuthEvents, WebAuthOptions } from '../../src/web/index.ts';
import { createTestBrowser } from './helpers/browser.ts';
import { demoUser, type DemoUser } from './helpers/browser.ts';
import { APP_ORIGIN, createDemoApp, demoSettings } from './helpers/demo-app.ts';

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}
interface Seen {
  method: string;
  url: string;
  authorization: string;
  body: string;
}

/** An API on 127.0.0.1 that answers the queued answers in order, then 200. */
async function startScriptedApi(): Promise<{ origin: string; queue: Answer[]; seen: Seen[]; close(): Promise<void> }> {
  const queue: Answer[] = [];
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization ?? '', body: Buffer.concat(chunks).toString('utf8') });
      const answer = queue.shift() ?? { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queue,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('entra.fetch: loopback http, throttled answers retried as Graph asks, claims challenges followed', { timeout: 180_000 }, () => {
  let emulator: RunningEmulator & { cleanup(): Promise<void> };
  let api: Awaited<ReturnType<typeof startScriptedApi>>;
  const opened: CreatedWebAuth[] = [];
  const waits: number[] = [];
  const throttled: Array<WebAuthEvents['request-throttled']> = [];
  const user = (alias: string): DemoUser => demoUser(emulator.devJson.users, alias);

  /** A createWebAuth whose waits are recorded (not waited), and a request of adele's signed-in session. */
  async function signedIn(options: Partial<WebAuthOptions> = {}): Promise<{ entra: CreatedWebAuth; request: Request }> {
    const entra = createWebAuth({ ...demoSettings(emulator), sleep: async (ms) => void waits.push(ms), ...options });
    opened.push(entra);
    entra.on('request-throttled', (event) => throttled.push(event));
    const app = createDemoApp(entra);
    const b = createTestBrowser(async (request) => app.fetch(request), APP_ORIGIN, emulator.url);
    assert.equal((await b.visit('/profile', user('adele'))).status, 200);
    const request = new Request(`${APP_ORIGIN}/`, { headers: { cookie: b.app.header() } });
    await entra.handle(request);
    return { entra, request };
  }

  let entra: CreatedWebAuth;
  let request: Request;

  before(async () => {
    emulator = await startTestEmulator();
    api = await startScriptedApi();
    ({ entra, request } = await signedIn());
  });
  after(async () => {
    for (const one of opened) await one.close();
    await api?.close();
    await emulator?.cleanup();
  });
  beforeEach(() => {
    api.queue.length = 0;
    api.seen.length = 0;
    waits.length = 0;
    throttled.length = 0;
  });

  it('calls an http API on 127.0.0.1 with the user\'s token; http to any other host is refused before a token is sent', async () => {
    const response = await entra.fetch(request, `${api.origin}/api/items?x=1`, { scopes: ['User.Read'] });
    assert.equal(response.status, 200);
    assert.equal((await entra.fetch(request, new URL('/api/items?y=2', api.origin), { scopes: ['User.Read'] })).status, 200, 'a URL object too');
    assert.equal(api.seen.length, 2);
    assert.equal(api.seen[1]!.url, '/api/items?y=2');
    api.seen.length = 1;
    assert.match(api.seen[0]!.authorization, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    for (const url of ['http://example.com/api', 'http://127.0.0.1.example.com/api', 'http://localhost.example/api', 'ftp://127.0.0.1/api', 'not a url', new URL('http://example.com/api')]) {
      await assert.rejects(entra.fetch(request, url, { scopes: ['User.Read'] }), { name: 'TypeError', message: /fetch: "url" must be an https URL \(http only to localhost, 127\.0\.0\.1 or \[::1\]\)/ }, String(url));
    }
    assert.equal(api.seen.length, 1, 'nothing else reached an API');
  });

  it("the caller's signal ends a Retry-After wait: its reason is thrown, nothing is sent again", async () => {
    // A wait that would never end by itself: only the abort can end the call.
    const { entra: patient, request: patientRequest } = await signedIn({ sleep: () => new Promise<void>(() => undefined) });
    api.queue.push({ status: 429, headers: { 'retry-after': '5' } });
    const controller = new AbortController();
    patient.on('request-throttled', () => controller.abort(new Error('the caller gave up')));
    await assert.rejects(patient.fetch(patientRequest, `${api.origin}/api/items`, { scopes: ['User.Read'], signal: controller.signal }), { message: 'the caller gave up' });
    assert.equal(api.seen.filter((seen) => seen.url === '/api/items').length, 1, 'the throttled request was not sent again');
  });

  it('the default wait is a timer the signal clears', { timeout: 30_000 }, async () => {
    // Two minutes of Retry-After, allowed by the setting: only the abort ends the call in time.
    const { entra: timed, request: timedRequest } = await signedIn({ sleep: undefined, throttling: { maxWaitMs: 120_000 } });
    api.queue.push({ status: 429, headers: { 'retry-after': '120' } });
    const controller = new AbortController();
    timed.on('request-throttled', () => setImmediate(() => controller.abort(new Error('deadline'))));
    await assert.rejects(timed.fetch(timedRequest, `${api.origin}/api/items`, { scopes: ['User.Read'], signal: controller.signal }), { message: 'deadline' });
  });

  /** A 401 insufficient_claims answer asking for a token issued after `nbfSec` (CAE's claims request). */
  const challenge = (nbfSec: number): { answer: Answer; claims: string } => {
    const claims = JSON.stringify({ access_token: { nbf: { essential: true, value: String(nbfSec) } } });
    return { claims, answer: { status: 401, headers: { 'www-authenticate': `Bearer realm="", error="insufficient_claims", claims="${Buffer.from(claims).toString('base64')}"` } } };
  };
  const adeleAccount = () => `${stableGuid('user:adele')}.${emulator.devJson.tenantId}`;

  it("an API's claims challenge that a refresh satisfies is met without the user: a new token, the call sent again, an event for this account", async () => {
    const challenges: Array<WebAuthEvents['claims-challenge']> = [];
    const stop = entra.on('claims-challenge', (event) => challenges.push(event));
    const { answer, claims } = challenge(Math.floor(Date.now() / 1000) - 60);
    api.queue.push(answer);
    try {
      const response = await entra.fetch(request, `${api.origin}/api/items`, { scopes: ['User.Read'] });
      assert.equal(response.status, 200);
    } finally {
      stop();
    }
    assert.equal(api.seen.length, 2);
    assert.notEqual(api.seen[1]!.authorization, api.seen[0]!.authorization, 'sent again with a new token');
    assert.deepEqual(challenges.map(({ homeAccountId, resolved, claims: asked }) => ({ homeAccountId, resolved, asked })), [{ homeAccountId: adeleAccount(), resolved: 'silently', asked: claims }]);
  });

  it('a new token challenged again is STEP_UP_REQUIRED (reason challenged-again) carrying the claims, for the adapters to send the user through sign-in', async () => {
    const { answer, claims } = challenge(Math.floor(Date.now() / 1000) - 60);
    api.queue.push(answer, answer);
    await assert.rejects(entra.fetch(request, `${api.origin}/api/items`, { scopes: ['User.Read'] }), (error: unknown) => {
      assert.ok(isEntrakitError(error, 'STEP_UP_REQUIRED'));
      assert.deepEqual(error.details, { claims, reason: 'challenged-again' });
      return true;
    });
    assert.equal(api.seen.length, 2);
  });

  it('a 429 is sent again after its Retry-After, with the token, and the caller gets the answer that followed', async () => {
    api.queue.push({ status: 429, headers: { 'retry-after': '2' } });
    const response = await entra.fetch(request, `${api.origin}/api/items?secret-query=1`, { scopes: ['User.Read'] });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true });
    assert.deepEqual(waits, [2000]);
    assert.equal(api.seen.length, 2);
    assert.match(api.seen[1]!.authorization, /^Bearer /);
    assert.deepEqual(throttled.map(({ method, url, status, waitMs, retry }) => ({ method, url, status, waitMs, retry })), [{ method: 'GET', url: `${api.origin}/api/items`, status: 429, waitMs: 2000, retry: 1 }]);
  });

  it('retries at most twice, then returns the throttled answer as sent; without Retry-After it waits 1 s', async () => {
    api.queue.push({ status: 429 }, { status: 429, headers: { 'retry-after': '1' } }, { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' }, { status: 429 });
    const response = await entra.fetch(request, `${api.origin}/api/items`, { scopes: ['User.Read'] });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '1');
    assert.equal(await response.text(), 'slow down');
    assert.deepEqual(waits, [1000, 1000]);
    assert.equal(api.seen.length, 3, 'three requests, no more');
    assert.deepEqual(throttled.map((e) => e.retry), [1, 2]);
  });

  it('does not wait longer than the cap: a Retry-After of an hour comes back to the caller at once', async () => {
    api.queue.push({ status: 429, headers: { 'retry-after': '3600' } });
    const response = await entra.fetch(request, `${api.origin}/api/items`, { scopes: ['User.Read'] });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '3600');
    assert.deepEqual(waits, []);
    assert.equal(api.seen.length, 1);
  });

  it('entra.graph waits out Microsoft Graph\'s throttling too (the emulator\'s Graph answering 429 once)', async () => {
    const fault = await fetch(`${emulator.url}/_admin/faults`, {
      method: 'POST',
      headers: { 'x-entrakit-admin': emulator.devJson.emulator.adminKey ?? '', 'content-type': 'application/json' },
      body: JSON.stringify({ pathPrefix: '/v1.0/me', status: 429, retryAfterSec: 3, count: 1 }),
    });
    assert.equal(fault.status, 201, await fault.text());
    const me = await entra.graph(request, '/me?$select=id,displayName');
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { displayName?: string }).displayName, 'Adele Vance');
    assert.deepEqual(waits, [3000]);
    assert.equal(throttled[0]?.url, `${new URL(throttled[0]?.url ?? '').origin}/v1.0/me`, 'no query in the event');
  });

  it('a 503 is throttling only with a Retry-After (delay-seconds); a bare 503 or an HTTP-date is returned as is', async () => {
    api.queue.push({ status: 503, headers: { 'retry-after': '0' } });
    assert.equal((await entra.fetch(request, `${api.origin}/api/a`, { scopes: ['User.Read'] })).status, 200);
    assert.deepEqual(waits, [0]);
    api.queue.push({ status: 503 }, { status: 503, headers: { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' } });
    assert.equal((await entra.fetch(request, `${api.origin}/api/b`, { scopes: ['User.Read'] })).status, 503);
    assert.equal((await entra.fetch(request, `${api.origin}/api/c`, { scopes: ['User.Read'] })).status, 503);
    assert.deepEqual(waits, [0]);
    assert.equal(api.seen.length, 4);
  });

  it('a body that can be sent again is sent again; a stream is not, and its throttled answer is returned', async () => {
    api.queue.push({ status: 429, headers: { 'retry-after': '1' } });
    const sent = await entra.fetch(request, `${api.origin}/api/items`, { scopes: ['User.Read'], method: 'POST', body: JSON.stringify({ name: 'x' }), headers: { 'content-type': 'application/json' } });
    assert.equal(sent.status, 200);
    assert.deepEqual(api.seen.map((s) => `${s.method} ${s.body}`), ['POST {"name":"x"}', 'POST {"name":"x"}']);
    api.seen.length = 0;
    api.queue.push({ status: 429, headers: { 'retry-after': '1' } });
    const stream = new ReadableStream({ start: (controller) => (controller.enqueue(new TextEncoder().encode('once')), controller.close()) });
    const streamed = await entra.fetch(request, `${api.origin}/api/items`, { scopes: ['User.Read'], method: 'POST', body: stream, duplex: 'half' } as RequestInit & { scopes: string[] });
    assert.equal(streamed.status, 429);
    assert.equal(api.seen.length, 1);
    assert.deepEqual(waits, [1000]);
  });

  it('the throttling setting bounds the retries; bad settings are refused with a TypeError naming them', async () => {
    const { entra: noRetries, request: own } = await signedIn({ throttling: { maxRetries: 0 } });
    api.queue.push({ status: 429, headers: { 'retry-after': '1' } });
    assert.equal((await noRetries.fetch(own, `${api.origin}/api/items`, { scopes: ['User.Read'] })).status, 429);
    assert.equal(api.seen.length, 1);
    const base = demoSettings(emulator);
    assert.throws(() => createWebAuth({ ...base, throttling: { maxRetries: -1 } }), { name: 'TypeError', message: /"throttling" must be \{ maxRetries\?: 0 to 10, maxWaitMs\?: 0 to 120000 \}/ });
    assert.throws(() => createWebAuth({ ...base, throttling: { maxWaitMs: 1.5 } }), { name: 'TypeError', message: /"throttling"/ });
    assert.throws(() => createWebAuth({ ...base, throttling: { maxRetry: 1 } as never }), { name: 'TypeError', message: /"throttling"/ });
    assert.throws(() => createWebAuth({ ...base, sleep: 1000 as never }), { name: 'TypeError', message: /"sleep" must be a function/ });
  });
});
