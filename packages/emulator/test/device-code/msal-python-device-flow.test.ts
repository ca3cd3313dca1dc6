import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { findPythonWithMsal } from '../interop/python-runner.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { CookieBrowser, completeOnVerificationPage, demoUser, registerPublicClient } from './device-helpers.ts';

const SCRIPT = fileURLToPath(new URL('./msal_python_device_flow.py', import.meta.url));
const python = findPythonWithMsal();

type Line = { flow?: { user_code: string; verification_uri: string; interval: number }; result?: Record<string, unknown>; has_access_token?: boolean; has_refresh_token?: boolean };

/** Runs the script; `onFlow` plays the person on the verification page. Resolves with the last line. */
function runDeviceFlow(env: Record<string, string>, onFlow: (flow: NonNullable<Line['flow']>) => Promise<unknown>): Promise<Line> {
  const child = spawn(python!, [SCRIPT], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', NO_PROXY: 'localhost,127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  let last: Line | undefined;
  let person: Promise<unknown> = Promise.resolve();
  createInterface({ input: child.stdout }).on('line', (line) => {
    last = JSON.parse(line) as Line;
    if (last.flow) person = onFlow(last.flow);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      person.then(
        () => (code === 0 && last ? resolve(last) : reject(new Error(`msal_python_device_flow.py exited with ${code}:\n${stderr}`))),
        reject,
      );
    });
  });
}

describe('MSAL Python device flow', { skip: python ? false : 'no Python with msal (apt-get install python3-msal)' }, () => {
  it('initiate_device_flow / acquire_token_by_device_flow completes against the emulator', async () => {
    const emulator = await startTestEmulator();
    try {
      const clientId = registerPublicClient(emulator, 'msal-python');
      const adele = demoUser(emulator, 'adele');
      const last = await runDeviceFlow(
        { ENTRAKIT_CLIENT_ID: clientId, ENTRAKIT_AUTHORITY: emulator.devJson.authority, ENTRAKIT_SCOPES: 'User.Read', REQUESTS_CA_BUNDLE: emulator.caFile },
        async (flow) => {
          assert.equal(flow.interval, 5);
          const page = await completeOnVerificationPage(new CookieBrowser(emulator.url), flow.verification_uri, flow.user_code, adele);
          assert.ok(page.has('data-device-result="approved"'), page.text());
        },
      );
      assert.equal(last.has_access_token, true, JSON.stringify(last.result));
      assert.equal(last.has_refresh_token, true);
      assert.equal(last.result?.['token_type'], 'Bearer');
      assert.equal((last.result?.['id_token_claims'] as Record<string, unknown>)['preferred_username'], adele.username);
    } finally {
      await emulator.cleanup();
    }
  });
});
