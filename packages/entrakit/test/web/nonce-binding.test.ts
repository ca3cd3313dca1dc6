/**
 * The ID token's nonce is bound to the sign-in that asked for it. A code obtained for another
 * authorization request (here: the same /authorize URL with another nonce) is refused at the
 * callback, both by MSAL and by the library's own ID token validation, and leaves no session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestEmulator } from '../../../emulator/test/helpers/emulator.ts';
import type { RunningEmulator } from '../../../emulator/src/server.ts';
import { createWebAuth } from '../../src/web/index.ts';
import type { CreatedWebAuth } from '../../src/web/index.ts';
import type { MsalClients } from '../../src/web/msal-clients.ts';
import { createTestBrowser } from './helpers/browser.ts';
import type { DemoUser } from './helpers/browser.ts';
import { APP_ORIGIN, createDemoApp, demoSettings } from './helpers/demo-app.ts';

describe('the sign-in nonce binding', { timeout: 120_000 }, () => {
  let emulator: RunningEmulator & { cleanup(): Promise<void> };
  let entra: CreatedWebAuth;
  let app: ReturnType<typeof createDemoApp>;
  const failures: string[] = [];
  const adele = (): DemoUser => {
    const found = emulator.devJson.users.find((u) => u.username.startsWith('adele@'));
    if (!found) throw new Error('no demo user adele');
    return found;
  };
  const browser = () => createTestBrowser(async (request) => app.fetch(request), APP_ORIGIN, emulator.url);

  before(async () => {
    emulator = await startTestEmulator();
    entra = createWebAuth(demoSettings(emulator));
    entra.on('sign-in-failed', (event) => failures.push(event.code));
    app = createDemoApp(entra);
  });
  after(async () => {
    await entra?.close();
    await emulator?.cleanup();
  });

  async function tamperedSignIn(): Promise<{ refused: Response; b: ReturnType<typeof browser> }> {
    const b = browser();
    const start = await b.get('/profile');
    const authorize = new URL(start.headers.get('location') ?? '');
    assert.match(authorize.searchParams.get('nonce') ?? '', /^[A-Za-z0-9_-]{43}$/);
    authorize.searchParams.set('nonce', INJECTED_NONCE);
    return { refused: await b.signInAt(authorize.toString(), adele()), b };
  }

  it('refuses an ID token carrying another authorization request\'s nonce: 401 TOKEN_NONCE_MISMATCH, no session', async () => {
    const { refused, b } = await tamperedSignIn();
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('x-entrakit-error'), 'TOKEN_NONCE_MISMATCH');
    assert.equal(b.app.cookies.has('entrakit-session'), false);
    assert.equal((await b.get('/profile')).status, 302, 'still signed out');
    assert.ok(failures.includes('TOKEN_NONCE_MISMATCH'));
  });

  it('refuses it even when MSAL is told that nonce: the library validates the ID token against its own transaction', async () => {
    // MSAL checks the nonce it is given. Here the redemption hands MSAL the nonce the emulator put
    // in the ID token, so only the library's own validation against the transaction can refuse it.
    const msal: MsalClients = entra.internals.core.msal;
    const forSignIn = msal.forSignIn.bind(msal);
    let injected = true;
    msal.forSignIn = async () => {
      const { client, pendingCache } = await forSignIn();
      const wrapped = {
        getAuthCodeUrl: client.getAuthCodeUrl.bind(client),
        acquireTokenSilent: client.acquireTokenSilent.bind(client),
        getTokenCache: client.getTokenCache.bind(client),
        acquireTokenByCode: (request: Parameters<typeof client.acquireTokenByCode>[0]) =>
          client.acquireTokenByCode({ ...request, ...(injected ? { nonce: INJECTED_NONCE } : {}) }),
      };
      return { client: wrapped, pendingCache };
    };
    try {
      const { refused, b } = await tamperedSignIn();
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get('x-entrakit-error'), 'TOKEN_NONCE_MISMATCH');
      assert.equal(b.app.cookies.has('entrakit-session'), false);

      // The same wrapper without the substitution signs in: the refusal above is the nonce alone.
      injected = false;
      const ok = browser();
      const start = await ok.get('/profile');
      const back = await ok.signInAt(start.headers.get('location') ?? '', adele());
      assert.equal(back.status, 302);
      assert.equal(back.headers.get('location'), '/profile');
      assert.equal(ok.app.cookies.has('entrakit-session'), true);
    } finally {
      msal.forSignIn = forSignIn;
    }
  });
});

const INJECTED_NONCE = 'another-authorization-request-nonce-0123456789';
