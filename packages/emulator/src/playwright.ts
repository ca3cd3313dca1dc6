/**
 * `@entrakit/emulator/playwright`: signs a user into a Playwright browser context in one call, so
 * an end-to-end suite skips the login page. It needs no Playwright dependency: any object with
 * Playwright's `addCookies` works, whatever the version.
 */
import { request as httpsRequest } from 'node:https';
import type { TestSession } from './admin/test-control-routes.ts';

/** The part of Playwright's `BrowserContext` the fixture uses. */
export interface BrowserContextLike {
  addCookies(cookies: Array<{ name: string; value: string; url?: string; domain?: string; path?: string; secure?: boolean; httpOnly?: boolean; sameSite?: 'Strict' | 'Lax' | 'None' }>): Promise<void>;
}

/** An emulator started in this process (`startEmulator`'s result has `admin`). */
interface InProcessEmulator {
  url: string;
  admin: { signIn(input: { user: string; tenantId?: string; mfa?: boolean }): Promise<TestSession> };
}

/** An emulator in another process: its URL and admin key (dev.json's `emulator.url` and `emulator.adminKey`) and its CA. */
export interface RemoteEmulator {
  url: string;
  adminKey: string;
  /** The emulator's CA certificate (PEM; dev.json's `emulator.caFile` holds it) when this process does not trust it already. */
  caPem?: string;
}

export interface SignInOptions {
  /** userPrincipalName of the user to sign in. */
  user: string;
  /** Default: the user's tenant is searched in the first tenant. */
  tenantId?: string;
  /** Start the session as if the second factor was given too (`amr: ["pwd","mfa"]`). */
  mfa?: boolean;
}

function postJson(target: RemoteEmulator, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const url = new URL(path, target.url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-entrakit-admin': target.adminKey },
        ...(target.caPem ? { ca: target.caPem } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function startSession(emulator: InProcessEmulator | RemoteEmulator, options: SignInOptions): Promise<TestSession> {
  const input = { user: options.user, ...(options.tenantId ? { tenantId: options.tenantId } : {}), ...(options.mfa ? { mfa: true } : {}) };
  if ('admin' in emulator) return emulator.admin.signIn(input);
  const answer = await postJson(emulator, '/_admin/sessions', input);
  if (answer.status !== 201) {
    let reason = answer.text.slice(0, 300);
    try {
      reason = (JSON.parse(answer.text) as { error_description?: string }).error_description ?? reason;
    } catch {
      // not JSON: keep the text
    }
    throw new Error(`the emulator refused to sign ${options.user} in (HTTP ${answer.status}): ${reason}`);
  }
  return JSON.parse(answer.text) as TestSession;
}

/**
 * Starts an SSO session for `user` at the emulator (its login code, as if the password was just
 * entered) and puts the session cookie into the browser context. The context's next authorize
 * request (an app's sign-in, MSAL's loginRedirect or ssoSilent) completes without the login page.
 */
export async function signInBrowserContext(context: BrowserContextLike, emulator: InProcessEmulator | RemoteEmulator, options: SignInOptions): Promise<TestSession> {
  const session = await startSession(emulator, options);
  const origin = new URL(emulator.url).origin;
  // Host-only, Secure, Path=/ (the `__Host-` rules) and SameSite=None, exactly as the login page sets it.
  await context.addCookies([{ name: session.cookie.name, value: session.cookie.value, url: `${origin}/`, secure: true, httpOnly: true, sameSite: 'None' }]);
  return session;
}
