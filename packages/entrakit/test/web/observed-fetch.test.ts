/**
 * The fetch every outgoing call goes through: with an 'http-call' listener, a token call's answer is
 * read from a copy and redacted into the event; without one, the call is passed through untouched
 * (no copy of the body, no redaction), and a listener added later is served from its first call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEventHub } from '../../src/web/events.ts';
import type { WebAuthEvents } from '../../src/web/events.ts';
import { observedFetch } from '../../src/web/observed-fetch.ts';

const TOKEN_URL = 'https://login.example/tenant/oauth2/v2.0/token';
const FORM = 'grant_type=authorization_code&code=secret-code-value&client_secret=hush&client-request-id=6f1c2a34-1b2c-4d5e-8f90-123456789abc';

/** A fetch answering a token response, counting how often its answers were copied. */
function tokenEndpoint(): { fetch: typeof fetch; clones: () => number } {
  let clones = 0;
  const impl = async (): Promise<Response> => {
    const response = new Response(JSON.stringify({ access_token: 'header.payload.signature', token_type: 'Bearer', expires_in: 3599 }), { headers: { 'content-type': 'application/json' } });
    const clone = response.clone.bind(response);
    response.clone = () => {
      clones += 1;
      return clone();
    };
    return response;
  };
  return { fetch: impl as typeof fetch, clones: () => clones };
}

describe('observedFetch', () => {
  it('without an http-call listener passes the call through: the caller reads the answer, nothing is copied', async () => {
    const events = createEventHub(() => 0);
    const endpoint = tokenEndpoint();
    const observed = observedFetch(endpoint.fetch, events);
    const other: string[] = [];
    events.on('signed-out', () => other.push('signed-out'));
    const response = await observed(TOKEN_URL, { method: 'POST', body: FORM });
    assert.equal((await response.json()).token_type, 'Bearer');
    assert.equal(endpoint.clones(), 0);
    assert.deepEqual(other, []);
  });

  it('with a listener, the token call ends in an event whose form and answer are redacted, and the caller still reads the answer', async () => {
    const events = createEventHub(() => 0);
    const endpoint = tokenEndpoint();
    const observed = observedFetch(endpoint.fetch, events);
    const calls: Array<WebAuthEvents['http-call']> = [];
    events.on('http-call', (event) => calls.push(event));
    const response = await observed(TOKEN_URL, { method: 'POST', body: FORM });
    assert.equal((await response.json()).token_type, 'Bearer');
    assert.equal(endpoint.clones(), 1);
    assert.equal(calls.length, 1);
    const [call] = calls;
    assert.equal(call!.kind, 'token');
    assert.equal(call!.correlationId, '6f1c2a34-1b2c-4d5e-8f90-123456789abc');
    const text = JSON.stringify(call);
    for (const secret of ['secret-code-value', 'hush', 'header.payload.signature']) assert.ok(!text.includes(secret), `${secret} is redacted`);
    assert.ok(call!.request?.some((field) => field.name === 'grant_type' && field.value === 'authorization_code'));
  });
});
