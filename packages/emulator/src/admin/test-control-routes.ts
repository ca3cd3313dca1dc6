import type { Context, Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import type { User } from '../directory/types.ts';
import { setSsoCookie, SSO_COOKIE, ssoCookieValue } from '../sign-in/cookies.ts';
import { saveSsoSession, startSsoSession } from '../sign-in/sso-session.ts';
import { badAdminRequest, readAdminJson, type AdminRefusal } from './admin-write-guard.ts';
import { mintTestToken, MintRefusal, parseMintRequest } from './mint-token.ts';

type ControlDeps = Pick<EmulatorDeps, 'directory' | 'keys' | 'publicUrl' | 'clock' | 'state' | 'cookieSecret'>;

/** A signed-in browser for tests: the SSO session record and the cookie that names it. */
export interface TestSession {
  sid: string;
  userId: string;
  tenantId: string;
  /** The emulator's SSO cookie, exactly as its login page sets it. */
  cookie: { name: string; value: string };
}

/**
 * Starts an SSO session for a user through the login page's own session code, as if the password
 * (and, with `mfa`, the second factor) had just been entered. The next authorize request from a
 * browser holding the cookie completes without the login page.
 */
export async function startTestSession(deps: ControlDeps, input: { user: string; tenantId?: string; mfa?: boolean }): Promise<TestSession> {
  const tenant = input.tenantId === undefined ? deps.directory.defaultTenant() : deps.directory.findTenant(input.tenantId);
  if (!tenant) throw new MintRefusal(`no tenant "${(input.tenantId ?? '').slice(0, 120)}" in the emulator`);
  const user: User | undefined = deps.directory.objects.list('user', tenant.id).find((u) => u.userPrincipalName.toLowerCase() === input.user.toLowerCase());
  if (!user) throw new MintRefusal(`no user "${input.user.slice(0, 120)}" in tenant ${tenant.domain}`);
  if (!user.accountEnabled) throw new MintRefusal(`user ${user.userPrincipalName} is disabled (sign-in would answer AADSTS50057)`);
  let session = await startSsoSession(deps, undefined, user, tenant.id);
  if (input.mfa) {
    session = { ...session, amr: ['pwd', 'mfa'] };
    await saveSsoSession(deps, session);
  }
  return { sid: session.sid, userId: user.id, tenantId: tenant.id, cookie: { name: SSO_COOKIE, value: ssoCookieValue(deps.cookieSecret, session.sid) } };
}

function refuse(c: Context, refusal: AdminRefusal): Response {
  c.header('Cache-Control', 'no-store');
  return c.json(refusal.body, refusal.status);
}

/**
 * Test controls behind the admin key: `POST /_admin/tokens` mints a token (admin/mint-token.ts),
 * `POST /_admin/sessions` signs a user in (sets the SSO cookie). JSON only, same-site only.
 */
export function testControlRoutes(app: Hono, deps: ControlDeps): void {
  app.post('/_admin/tokens', async (c) => {
    const read = await readAdminJson(c, deps.publicUrl);
    if ('refusal' in read) return refuse(c, read.refusal);
    try {
      const token = await mintTestToken(deps, parseMintRequest(read.body));
      c.header('Cache-Control', 'no-store');
      return c.json({ token });
    } catch (error) {
      if (error instanceof MintRefusal) return refuse(c, badAdminRequest(error.message));
      throw error;
    }
  });

  app.post('/_admin/sessions', async (c) => {
    const read = await readAdminJson(c, deps.publicUrl);
    if ('refusal' in read) return refuse(c, read.refusal);
    const { user, tenantId, mfa } = read.body;
    if (typeof user !== 'string' || !user) return refuse(c, badAdminRequest('"user" (a userPrincipalName) is required'));
    if (tenantId !== undefined && typeof tenantId !== 'string') return refuse(c, badAdminRequest('"tenantId" must be a string'));
    if (mfa !== undefined && typeof mfa !== 'boolean') return refuse(c, badAdminRequest('"mfa" must be true or false'));
    try {
      const session = await startTestSession(deps, { user, ...(tenantId ? { tenantId } : {}), ...(mfa ? { mfa } : {}) });
      setSsoCookie(c, deps.cookieSecret, session.sid);
      c.header('Cache-Control', 'no-store');
      return c.json(session, 201);
    } catch (error) {
      if (error instanceof MintRefusal) return refuse(c, badAdminRequest(error.message));
      throw error;
    }
  });
}
