/**
 * Step-up and CAE against the real emulator: unmodified MSAL Node with clientCapabilities ["CP1"]
 * and a `claims` request for authentication context c1 (the demo tenant's "requires MFA"), the
 * second-factor page (TOTP), interaction_required for silent requests, and Graph's claims
 * challenge after revokeSignInSessions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfidentialClientApplication, CryptoProvider, InteractionRequiredAuthError } from '@azure/msal-node';
import { base32Decode, base32Encode, matchTotpStep, TOTP_STEP_S, totpCode, verifyTotp } from '../../src/mfa/totp.ts';
import { EmulatorConfigError, parseEmulatorConfig } from '../../src/config/load-config.ts';
import type { EmulatorConfigInput } from '../../src/config/schema.ts';
import { stableGuid } from '../../src/directory/ids.ts';
import { startEmulator } from '../../src/server.ts';
import { createCookieJar, locationParams, startTestEmulator, submitForm, type CookieJar, type TestEmulator } from '../sign-in/helpers.ts';

const C1_CLAIMS = JSON.stringify({ access_token: { acrs: { essential: true, value: 'c1' } } });
const MEGAN_ID = stableGuid('user:megan');

let t: TestEmulator;
/** The emulator's clock runs ahead of the wall clock by this much; tests move it on instead of waiting. */
let aheadMs = 0;
const now = () => Date.now() + aheadMs;
/** Moves the emulator's clock into the next TOTP step and returns its time: a code not used yet. */
function nextTotpStep(): number {
  aheadMs += TOTP_STEP_S * 1000;
  return now();
}
before(async () => {
  t = await startTestEmulator({ clock: now });
});
after(() => t.stop());

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

function megan(): { username: string; password: string; totpSecret: string } {
  const found = t.devJson.users.find((u) => u.username.startsWith('megan@'));
  assert.ok(found?.totpSecret, 'dev.json lists the MFA user with her TOTP secret');
  return { username: found.username, password: found.password, totpSecret: found.totpSecret };
}

function msal(): ConfidentialClientApplication {
  const { web } = t.devJson.apps;
  return new ConfidentialClientApplication({
    auth: { clientId: web.clientId, clientSecret: web.clientSecret, authority: t.devJson.authority, knownAuthorities: [new URL(t.url).host], clientCapabilities: ['CP1'] },
  });
}

/** Follows MSAL's authorize URL in the jar's browser: the login form when there is no session. */
async function openAuthorize(jar: CookieJar, url: string): Promise<{ status: number; html: string; response: Response }> {
  const response = await jar.fetch(url);
  return { status: response.status, html: response.status === 200 ? await response.text() : '', response };
}

async function passwordSignIn(jar: CookieJar, url: string): Promise<Response> {
  const page = await openAuthorize(jar, url);
  assert.equal(page.status, 200);
  assert.match(page.html, /name="password"/);
  const { username, password } = megan();
  return submitForm(jar, t, page.html, { username, password });
}

/** A six-digit code that is not valid now (nor one step either side). */
function wrongCode(secret: string): string {
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!verifyTotp(secret, candidate, now())) return candidate;
  }
}

describe('TOTP (RFC 6238, SHA-1, 6 digits, 30 s)', () => {
  test('the RFC 6238 test vectors (last six digits) and base32 round trip', () => {
    const secret = base32Encode(Buffer.from('12345678901234567890', 'ascii'));
    assert.equal(secret, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.equal(base32Decode(secret).toString('ascii'), '12345678901234567890');
    assert.equal(totpCode(secret, 59_000), '287082');
    assert.equal(totpCode(secret, 1_111_111_109_000), '081804');
    assert.equal(totpCode(secret, 1_234_567_890_000), '005924');
    assert.equal(totpCode(secret, 20_000_000_000_000), '353130');
    assert.equal(verifyTotp(secret, '287082', 59_000 + 30_000), true, 'one step of drift is accepted');
    assert.equal(verifyTotp(secret, '287082', 59_000 + 61_000), false, 'two steps later it is not');
    assert.equal(verifyTotp(secret, '28708', 59_000), false);
  });
});

describe('step-up with MSAL Node (clientCapabilities CP1, claims acrs c1)', () => {
  const jar = createCookieJar();
  const crypto = new CryptoProvider();

  test('a password sign-in gives amr ["pwd"] and no acrs; CP1 makes the Graph token a CAE token (xms_cc)', async () => {
    const cca = msal();
    const { web } = t.devJson.apps;
    const pkce = await crypto.generatePkceCodes();
    const url = await cca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: web.redirectUri, codeChallenge: pkce.challenge, codeChallengeMethod: 'S256' });
    const sent = JSON.parse(new URL(url).searchParams.get('claims') ?? '{}') as Record<string, unknown>;
    assert.deepEqual(sent['access_token'], { xms_cc: { values: ['CP1'] } }, 'MSAL sends the capability as a claims request');
    const back = await passwordSignIn(jar, url);
    assert.equal(back.status, 302, 'no second factor for a plain sign-in');
    const result = await cca.acquireTokenByCode({ code: locationParams(back).get('code') ?? '', scopes: ['User.Read'], redirectUri: web.redirectUri, codeVerifier: pkce.verifier });
    const access = claimsOf(result.accessToken);
    assert.deepEqual(access['amr'], ['pwd']);
    assert.equal(access['acrs'], undefined);
    assert.deepEqual(access['xms_cc'], ['cp1']);
    assert.deepEqual(claimsOf(result.idToken)['amr'], ['pwd']);
  });

  test('prompt=none with claims c1 on a password-only session: interaction_required AADSTS50076', async () => {
    const cca = msal();
    const { web } = t.devJson.apps;
    const url = await cca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: web.redirectUri, claims: C1_CLAIMS, prompt: 'none', state: 's1' });
    const response = await jar.fetch(url);
    assert.equal(response.status, 302);
    const params = locationParams(response);
    assert.equal(params.get('error'), 'interaction_required');
    assert.match(params.get('error_description') ?? '', /^AADSTS50076: .*you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'\./);
    assert.equal(params.get('state'), 's1');
  });

  test('claims c1 asks for the second factor even with an SSO session; a wrong code stays on the page; the token carries acrs ["c1"] and amr pwd+mfa', async () => {
    const cca = msal();
    const { web, api } = t.devJson.apps;
    t.deps.directory.consents.grant(t.tenantId, web.clientId, api.clientId, MEGAN_ID, ['user_impersonation']);
    const pkce = await crypto.generatePkceCodes();
    const url = await cca.getAuthCodeUrl({ scopes: [api.scope], redirectUri: web.redirectUri, claims: C1_CLAIMS, codeChallenge: pkce.challenge, codeChallengeMethod: 'S256' });
    const sent = JSON.parse(new URL(url).searchParams.get('claims') ?? '{}') as Record<string, Record<string, unknown>>;
    assert.deepEqual(sent['access_token'], { acrs: { essential: true, value: 'c1' }, xms_cc: { values: ['CP1'] } }, 'MSAL merges the capability into the claims request');

    const page = await openAuthorize(jar, url);
    assert.equal(page.status, 200, 'no redirect: the SSO session has only a password');
    assert.match(page.html, /name="otc"/);
    assert.match(page.html, />Verify<\/button>/);
    assert.doesNotMatch(page.html, /name="password"/);

    const wrong = await submitForm(jar, t, page.html, { otc: wrongCode(megan().totpSecret) });
    assert.equal(wrong.status, 200);
    const wrongHtml = await wrong.text();
    assert.match(wrongHtml, /You didn&#39;t enter the expected verification code\. Please try again\./);
    assert.match(wrongHtml, /AADSTS500121/);
    const logged = t.deps.requestLog.list({ endpoint: 'login' }).find((e) => e.aadsts === 500121);
    assert.ok(logged, 'the request log records the wrong code with its AADSTS code');

    const right = await submitForm(jar, t, wrongHtml, { otc: totpCode(megan().totpSecret, nextTotpStep()) });
    assert.equal(right.status, 302);
    const result = await cca.acquireTokenByCode({ code: locationParams(right).get('code') ?? '', scopes: [api.scope], redirectUri: web.redirectUri, codeVerifier: pkce.verifier, claims: C1_CLAIMS });
    const access = claimsOf(result.accessToken);
    assert.deepEqual(access['acrs'], ['c1']);
    assert.deepEqual(access['amr'], ['pwd', 'mfa']);
    assert.equal(access['aud'], api.clientId);
    assert.equal(access['xms_cc'], undefined, 'xms_cc only for CAE-capable resources (Graph)');
    assert.deepEqual(claimsOf(result.idToken)['amr'], ['pwd', 'mfa']);
    // The refresh token remembers the satisfied context.
    const refreshed = await cca.acquireTokenSilent({ account: result.account!, scopes: [api.scope], forceRefresh: true });
    assert.deepEqual(claimsOf(refreshed.accessToken)['acrs'], ['c1']);
    assert.deepEqual(claimsOf(refreshed.accessToken)['amr'], ['pwd', 'mfa']);

    // The session now has mfa: the next c1 request needs no code.
    const again = await jar.fetch(await cca.getAuthCodeUrl({ scopes: [api.scope], redirectUri: web.redirectUri, claims: C1_CLAIMS, prompt: 'none' }));
    assert.equal(again.status, 302);
    assert.ok(locationParams(again).get('code'));
  });

  test('refresh: a password-only grant asked for c1 is 400 invalid_grant 50076 basic_action with claims', async () => {
    const { web, api } = t.devJson.apps;
    // A password-only grant through MSAL (its cache holds the refresh token).
    const cca = msal();
    const plainJar = createCookieJar();
    const pkce = await crypto.generatePkceCodes();
    const url = await cca.getAuthCodeUrl({ scopes: [api.scope], redirectUri: web.redirectUri, codeChallenge: pkce.challenge, codeChallengeMethod: 'S256' });
    const back = await passwordSignIn(plainJar, url);
    const signedIn = await cca.acquireTokenByCode({ code: locationParams(back).get('code') ?? '', scopes: [api.scope], redirectUri: web.redirectUri, codeVerifier: pkce.verifier });
    const cache = JSON.parse(cca.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
    const refreshToken = Object.values(cache.RefreshToken)[0]?.secret ?? '';
    assert.ok(refreshToken);
    const refresh = (claims?: string) =>
      fetch(`${t.url}/${t.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: web.clientId, client_secret: web.clientSecret, refresh_token: refreshToken, scope: api.scope, ...(claims ? { claims } : {}) }),
      });
    const refused = await refresh(C1_CLAIMS);
    assert.equal(refused.status, 400);
    const body = (await refused.json()) as Record<string, unknown>;
    assert.equal(body['error'], 'invalid_grant');
    assert.deepEqual(body['error_codes'], [50076]);
    assert.equal(body['suberror'], 'basic_action');
    assert.equal(body['claims'], C1_CLAIMS);
    assert.match(String(body['error_description']), /^AADSTS50076: /);
    const plain = await refresh();
    assert.equal(plain.status, 200, 'without claims the grant still refreshes');

    // MSAL sees the same refusal as InteractionRequiredAuthError carrying the claims to send to /authorize.
    const silent = cca.acquireTokenSilent({ account: signedIn.account!, scopes: [api.scope], claims: C1_CLAIMS });
    await assert.rejects(silent, (error: unknown) => {
      assert.ok(error instanceof InteractionRequiredAuthError);
      assert.equal(error.subError, 'basic_action');
      assert.equal(error.claims, C1_CLAIMS);
      return true;
    });
  });
});

describe('per-user MFA (mfa.required)', () => {
  test('the code page follows the password at every interactive sign-in; the code carries amr pwd+mfa', async () => {
    const alexId = stableGuid('user:alex');
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    t.deps.directory.stepUp.setMfaMethod(alexId, { totpSecret: secret, required: true });
    try {
      const jar = createCookieJar();
      const { web } = t.devJson.apps;
      const url = `${t.url}/${t.tenantId}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: web.clientId, response_type: 'code', redirect_uri: web.redirectUri, scope: 'openid User.Read' })}`;
      const login = await jar.fetch(url);
      const loginHtml = await login.text();
      const { username, password } = t.user('alex');
      const afterPassword = await submitForm(jar, t, loginHtml, { username, password });
      assert.equal(afterPassword.status, 200);
      const codeHtml = await afterPassword.text();
      assert.match(codeHtml, /name="otc"/);
      const silent = await jar.fetch(`${url}&prompt=none`);
      assert.equal(locationParams(silent).get('error'), 'interaction_required', 'the password-only session cannot answer silently');
      const done = await submitForm(jar, t, codeHtml, { otc: totpCode(secret, nextTotpStep()) });
      assert.equal(done.status, 302);
      const redeemed = await fetch(`${t.url}/${t.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret, code: locationParams(done).get('code') ?? '', redirect_uri: web.redirectUri }),
      });
      const tokens = (await redeemed.json()) as { access_token: string; id_token: string };
      assert.deepEqual(claimsOf(tokens.access_token)['amr'], ['pwd', 'mfa']);
      assert.deepEqual(claimsOf(tokens.id_token)['amr'], ['pwd', 'mfa']);
    } finally {
      t.deps.directory.db.prepare('DELETE FROM mfa_methods WHERE user_id = ?').run(alexId);
    }
  });
});

describe('wrong codes', () => {
  test('the fifth wrong code ends the sign-in (403 AADSTS500121); a new sign-in may try again', async () => {
    const jar = createCookieJar();
    const { web } = t.devJson.apps;
    const url = `${t.url}/${t.tenantId}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: web.clientId, response_type: 'code', redirect_uri: web.redirectUri, scope: 'openid User.Read', claims: C1_CLAIMS, prompt: 'login' })}`;
    const afterPassword = await passwordSignIn(jar, url);
    let html = await afterPassword.text();
    for (let attempt = 1; attempt <= 4; attempt++) {
      const again = await submitForm(jar, t, html, { otc: wrongCode(megan().totpSecret) });
      assert.equal(again.status, 200, `attempt ${attempt} stays on the page`);
      html = await again.text();
      assert.match(html, /AADSTS500121/);
    }
    const ended = await submitForm(jar, t, html, { otc: wrongCode(megan().totpSecret) });
    assert.equal(ended.status, 403);
    assert.match(await ended.text(), /AADSTS500121/);
    const retried = await submitForm(jar, t, html, { otc: totpCode(megan().totpSecret, nextTotpStep()) });
    assert.equal(retried.status, 400, 'the ended sign-in cannot continue, even with the right code');

    const fresh = await jar.fetch(url.replace('&prompt=login', ''));
    const freshHtml = await fresh.text();
    assert.match(freshHtml, /name="otc"/, 'a new sign-in asks again (the SSO session has a password)');
    const done = await submitForm(jar, t, freshHtml, { otc: totpCode(megan().totpSecret, nextTotpStep()) });
    assert.equal(done.status, 302);
  });
});

describe('each code once (RFC 6238 §5.2) and the per-user lockout', () => {
  const secret = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
  /** A fresh browser at the code page of `alias` (password given, MFA required for the user). */
  async function codePage(alias: 'adele' | 'alex'): Promise<{ jar: CookieJar; html: string }> {
    const jar = createCookieJar();
    const app = t.devJson.apps.web;
    const url = `${t.url}/${t.tenantId}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: app.clientId, response_type: 'code', redirect_uri: app.redirectUri, scope: 'openid User.Read' })}`;
    const login = await jar.fetch(url);
    const { username, password } = t.user(alias);
    const afterPassword = await submitForm(jar, t, await login.text(), { username, password });
    assert.equal(afterPassword.status, 200);
    const html = await afterPassword.text();
    assert.match(html, /name="otc"/);
    return { jar, html };
  }
  function withMfa(alias: 'adele' | 'alex'): string {
    const id = stableGuid(`user:${alias}`);
    t.deps.directory.stepUp.setMfaMethod(id, { totpSecret: secret, required: true });
    return id;
  }
  function removeMfa(id: string): void {
    t.deps.directory.db.prepare('DELETE FROM mfa_methods WHERE user_id = ?').run(id);
    t.deps.directory.db.prepare('DELETE FROM mfa_usage WHERE user_id = ?').run(id);
  }

  test('a right code signs in once: the same code in a second sign-in, within its step, is a wrong code', async () => {
    const id = withMfa('alex');
    try {
      const first = await codePage('alex');
      const second = await codePage('alex');
      const code = totpCode(secret, nextTotpStep());
      const accepted = await submitForm(first.jar, t, first.html, { otc: code });
      assert.equal(accepted.status, 302);
      assert.ok(locationParams(accepted).get('code'));
      const replayed = await submitForm(second.jar, t, second.html, { otc: code });
      assert.equal(replayed.status, 200, 'the used code is refused and the page asks again');
      assert.match(await replayed.text(), /AADSTS500121/);
      const earlier = totpCode(secret, now() - TOTP_STEP_S * 1000);
      assert.ok(matchTotpStep(secret, earlier, now()) !== undefined, 'the previous step is still inside the drift window');
      const older = await submitForm(second.jar, t, second.html, { otc: earlier });
      assert.equal(older.status, 200, 'a code older than the one used is refused too');
      const later = await submitForm(second.jar, t, second.html, { otc: totpCode(secret, nextTotpStep()) });
      assert.equal(later.status, 302, "the next step's code works");
    } finally {
      removeMfa(id);
    }
  });

  test('wrong codes posted in parallel from several code pages: no more than the per-user limit are checked', async () => {
    const id = withMfa('adele');
    try {
      const pages = await Promise.all(Array.from({ length: 8 }, () => codePage('adele')));
      const wrong = wrongCode(secret);
      const responses = await Promise.all(pages.flatMap((page) => Array.from({ length: 4 }, () => submitForm(page.jar, t, page.html, { otc: wrong }))));
      const bodies = await Promise.all(responses.map(async (r) => ({ status: r.status, html: await r.text() })));
      const checked = bodies.filter((b) => b.status === 200 && /You didn&#39;t enter the expected verification code/.test(b.html)).length;
      const locked = bodies.filter((b) => b.status === 403 && /too many wrong verification codes for this account/.test(b.html)).length;
      assert.equal(checked, 10, 'exactly MAX_USER_MFA_FAILURES codes were checked');
      assert.ok(locked >= 1, 'the others met the lockout');
      const late = await codePage('adele');
      const refused = await submitForm(late.jar, t, late.html, { otc: totpCode(secret, nextTotpStep()) });
      assert.equal(refused.status, 403, 'while locked, even the right code is not checked');
      assert.match(await refused.text(), /for this account/);
      aheadMs += 15 * 60_000;
      const after = await codePage('adele');
      const done = await submitForm(after.jar, t, after.html, { otc: totpCode(secret, nextTotpStep()) });
      assert.equal(done.status, 302, 'after 15 minutes the count starts again');
    } finally {
      removeMfa(id);
    }
  });
});

describe('a context the tenant does not define', () => {
  // Entra adds a requested context that no policy applies to ("c1 (requested)" in Microsoft's
  // authentication-context developer guide): acrs alone does not prove a control was met.
  test('asks for nothing: a password-only sign-in, and the token still lists it next to amr ["pwd"]', async () => {
    const jar = createCookieJar();
    const { web } = t.devJson.apps;
    const c7 = JSON.stringify({ access_token: { acrs: { essential: true, value: 'c7' } } });
    assert.equal(t.deps.directory.stepUp.context(t.tenantId, 'c7'), undefined);
    const url = `${t.url}/${t.tenantId}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: web.clientId, response_type: 'code', redirect_uri: web.redirectUri, scope: 'openid User.Read', claims: c7, prompt: 'login' })}`;
    const back = await passwordSignIn(jar, url);
    assert.equal(back.status, 302, 'no code page');
    const redeemed = await fetch(`${t.url}/${t.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret, code: locationParams(back).get('code') ?? '', redirect_uri: web.redirectUri }),
    });
    const access = claimsOf(((await redeemed.json()) as { access_token: string }).access_token);
    assert.deepEqual(access['amr'], ['pwd']);
    assert.deepEqual(access['acrs'], ['c7']);
  });
});

describe('CAE: revokeSignInSessions', () => {
  test('Graph answers a CP1 token issued before the revocation with the claims challenge; a non-CAE token stays valid; refresh and SSO are void', async () => {
    const jar = createCookieJar();
    const { web } = t.devJson.apps;
    const code = async (claims?: string) => {
      const back = await passwordSignIn(jar, `${t.url}/${t.tenantId}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: web.clientId, response_type: 'code', redirect_uri: web.redirectUri, scope: 'User.Read offline_access openid', prompt: 'login', ...(claims ? { claims } : {}) })}`);
      return locationParams(back).get('code') ?? '';
    };
    const redeem = async (c: string, claims?: string) => {
      const r = await fetch(`${t.url}/${t.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret, code: c, redirect_uri: web.redirectUri, ...(claims ? { claims } : {}) }),
      });
      assert.equal(r.status, 200);
      return (await r.json()) as { access_token: string; refresh_token: string };
    };
    const cp1 = JSON.stringify({ access_token: { xms_cc: { values: ['CP1'] } } });
    const cae = await redeem(await code(cp1));
    const plain = await redeem(await code());
    assert.deepEqual(claimsOf(cae.access_token)['xms_cc'], ['cp1']);
    assert.equal(claimsOf(plain.access_token)['xms_cc'], undefined);
    const me = (token: string) => fetch(`${t.url}/v1.0/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await me(cae.access_token)).status, 200);

    // Revoke in a later second than the tokens' iat (both are whole seconds): the clock moves on.
    const iat = Number(claimsOf(cae.access_token)['iat']);
    aheadMs += 1000;
    assert.ok(Math.floor(now() / 1000) > iat);
    t.deps.directory.revokeSignInSessions(MEGAN_ID, now());
    const revokedAt = Math.floor((t.deps.directory.revokedAt(MEGAN_ID) ?? 0) / 1000);

    const challenged = await me(cae.access_token);
    assert.equal(challenged.status, 401);
    const expectedClaims = Buffer.from(JSON.stringify({ access_token: { nbf: { essential: true, value: String(revokedAt) } } })).toString('base64');
    assert.equal(challenged.headers.get('www-authenticate'), `Bearer realm="", authorization_uri="${t.url}/common/oauth2/authorize", error="insufficient_claims", claims="${expectedClaims}"`);
    const error = ((await challenged.json()) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'InvalidAuthenticationToken');
    assert.equal(error.message, 'Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp');
    assert.equal((await me(plain.access_token)).status, 200, 'a non-CAE token stays valid until it expires');

    const refreshed = await fetch(`${t.url}/${t.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: web.clientId, client_secret: web.clientSecret, refresh_token: cae.refresh_token }),
    });
    assert.equal(refreshed.status, 400);
    const refreshBody = (await refreshed.json()) as Record<string, unknown>;
    assert.equal(refreshBody['error'], 'invalid_grant');
    assert.deepEqual(refreshBody['error_codes'], [50173]);

    const silent = await jar.fetch(`${t.url}/${t.tenantId}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: web.clientId, response_type: 'code', redirect_uri: web.redirectUri, scope: 'User.Read', prompt: 'none' })}`);
    assert.equal(locationParams(silent).get('error'), 'login_required', 'the SSO session is revoked too');

    // Signing in again answers the challenge: the new token works.
    const fresh = await redeem(await code(cp1));
    assert.equal((await me(fresh.access_token)).status, 200);
  });
});

describe('tenant file: users[].mfa and authenticationContexts', () => {
  test('bad settings are named; a configured secret and context work and dev.json lists totpSecret', async () => {
    const problems = (input: unknown): string[] => {
      try {
        parseEmulatorConfig(input as EmulatorConfigInput);
      } catch (error) {
        if (error instanceof EmulatorConfigError) return error.problems;
        throw error;
      }
      return [];
    };
    const bad = problems({
      tenants: [{ domain: 'c.test', users: [{ userPrincipalName: 'a@c.test', password: 'A-password-1', displayName: 'A', mfa: { totpSecret: 'not base32!' } }], authenticationContexts: [{ id: 'c100' }] }],
    });
    assert.deepEqual(bad, [
      'tenants[0].users[0].mfa.totpSecret: must be base32 (A-Z, 2-7), 16 to 128 characters, as authenticator apps use',
      'tenants[0].authenticationContexts[0].id: must be c1 to c99',
    ]);

    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const configured = await startEmulator({
      port: 0,
      writeDevJson: false,
      config: {
        tenants: [
          {
            domain: 'c.test',
            users: [{ userPrincipalName: 'a@c.test', password: 'A-password-1', displayName: 'A', mfa: { totpSecret: secret, required: true } }, { userPrincipalName: 'b@c.test', password: 'B-password-1', displayName: 'B' }],
            authenticationContexts: [{ id: 'c7', displayName: 'Sensitive' }],
          },
        ],
      },
    });
    try {
      assert.equal(configured.devJson.users[0]?.totpSecret, secret);
      assert.equal(configured.devJson.users[1]?.totpSecret, undefined);
      const tid = configured.devJson.tenantId;
      assert.deepEqual(configured.deps.directory.stepUp.contexts(tid), [{ id: 'c7', displayName: 'Sensitive', requireMfa: true }]);
      const a = configured.deps.directory.findUserByUsername(tid, 'a@c.test');
      assert.deepEqual(configured.deps.directory.stepUp.mfaMethod(a?.id ?? ''), { totpSecret: secret, required: true });
    } finally {
      await configured.close();
    }
  });
});
