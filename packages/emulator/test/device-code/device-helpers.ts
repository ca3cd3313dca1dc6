import assert from 'node:assert/strict';
import { newApplication } from '../../src/directory/new-application.ts';
import { stableGuid } from '../../src/directory/ids.ts';
import { registerApplication } from '../../src/directory/registration.ts';
import type { RunningEmulator } from '../../src/server.ts';
import { CookieBrowser, type Page } from './browser.ts';

/** A public client (desktop/CLI) app in the demo tenant: "Allow public client flows" on, as device code needs. */
export function registerPublicClient(emulator: RunningEmulator, name: string): string {
  const appId = stableGuid(`test-app:${name}`);
  const app = newApplication({ appId, displayName: `Device ${name}`, isFallbackPublicClient: true, publicClient: { redirectUris: ['http://localhost'] } });
  registerApplication(emulator.deps.directory, emulator.devJson.tenantId, app);
  return appId;
}

export function demoUser(emulator: RunningEmulator, alias: string): { username: string; password: string } {
  const user = emulator.devJson.users.find((u) => u.username.startsWith(`${alias}@`));
  assert.ok(user, `demo user ${alias}`);
  return user;
}

/**
 * A person on the verification page: enters the code, signs in with the password (unless the
 * browser has an SSO session), then Continue, then Accept or Cancel on the consent page.
 */
export async function completeOnVerificationPage(
  browser: CookieBrowser,
  verificationUri: string,
  userCode: string,
  credentials: { username: string; password: string } | undefined,
  options: { decide?: 'continue' | 'cancel'; consent?: 'accept' | 'cancel' } = {},
): Promise<Page> {
  const form = await browser.get(verificationUri);
  assert.equal(form.status, 200);
  assert.ok(form.has('name="user_code"'), 'the code entry form');
  let page = await browser.submit(form, { user_code: userCode });
  if (credentials) {
    assert.ok(page.has('>Sign in</button>'), `login form expected, got: ${page.text().slice(0, 200)}`);
    page = await browser.submit(page, credentials);
  }
  assert.ok(page.has('value="continue"'), `confirmation expected, got: ${page.text().slice(0, 200)}`);
  page = await browser.submit(page, { action: options.decide ?? 'continue' });
  if (page.has('value="accept"')) page = await browser.submit(page, { action: options.consent ?? 'accept' });
  return page;
}

export { CookieBrowser };
