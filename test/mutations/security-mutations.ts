/**
 * One-line mutations of security checks, each with the tests that must catch it. `find` must occur
 * exactly once in `file` (the runner refuses otherwise, so a stale entry is noticed); `replace`
 * is what the check is weakened to. Add an entry with every security fix.
 */
export interface SecurityMutation {
  id: string;
  file: string;
  find: string;
  replace: string;
  /** Test files (from the repository root) that must fail with the mutation applied. */
  tests: string[];
  why: string;
}

const EMULATOR_TESTS = 'packages/emulator/test';
const WEB_TESTS = 'apps/test/web';

export const SECURITY_MUTATIONS: SecurityMutation[] = [
  // Bearer requirements
  {
    id: 'bearer-role-satisfies-scope',
    file: 'packages/entrakit/src/bearer/requirements.ts',
    find: 'const hasScope = scopes.some((scope) => principal.scopes.includes(scope));',
    replace: 'const hasScope = scopes.some((scope) => principal.scopes.includes(scope) || principal.roles.includes(scope));',
    tests: ['packages/entrakit/test/bearer/requirements.test.ts', 'packages/entrakit/test/bearer/bearer-auth.test.ts'],
    why: 'a role named like a required scope must not satisfy it',
  },
  {
    id: 'bearer-scope-satisfies-role',
    file: 'packages/entrakit/src/bearer/requirements.ts',
    find: 'const hasRole = roles.some((role) => principal.roles.includes(role));',
    replace: 'const hasRole = roles.some((role) => principal.roles.includes(role) || principal.scopes.includes(role));',
    tests: ['packages/entrakit/test/bearer/requirements.test.ts', 'packages/entrakit/test/bearer/bearer-auth.test.ts'],
    why: 'a scope named like a required role must not satisfy it',
  },

  // Secrets at rest
  {
    id: 'sqlite-store-folder-mode',
    file: 'packages/entrakit/src/store/sqlite-store.ts',
    find: 'mkdirSync(dirname(path), { recursive: true, mode: 0o700 });',
    replace: 'mkdirSync(dirname(path), { recursive: true, mode: 0o755 });',
    tests: ['packages/entrakit/test/store/sqlite.test.ts'],
    why: 'the store folder is owner-only (0700)',
  },
  {
    id: 'sqlite-store-file-mode',
    file: 'packages/entrakit/src/store/sqlite-store.ts',
    find: "closeSync(openSync(path, 'a', 0o600));",
    replace: "closeSync(openSync(path, 'a', 0o644));",
    tests: ['packages/entrakit/test/store/sqlite.test.ts'],
    why: 'the store file (and the -wal/-shm SQLite copies its mode to) is owner-only (0600)',
  },
  {
    id: 'emulator-db-companion-modes',
    file: 'packages/emulator/src/server.ts',
    find: "for (const companion of [`${path}-wal`, `${path}-shm`]) if (existsSync(companion)) await chmod(companion, 0o600);",
    replace: '',
    tests: [`${EMULATOR_TESTS}/server/persistence.test.ts`],
    why: '-wal and -shm files left open by an earlier run are tightened at start',
  },
  {
    id: 'emulator-db-file-mode',
    file: 'packages/emulator/src/server.ts',
    find: "closeSync(openSync(path, 'a', 0o600));\n  await chmod(path, 0o600);",
    replace: "closeSync(openSync(path, 'a', 0o600));",
    tests: [`${EMULATOR_TESTS}/server/persistence.test.ts`],
    why: 'a database file left open by an earlier run is tightened at start',
  },

  // Cookies
  {
    id: 'web-cookie-secure-on-https',
    file: 'packages/entrakit/src/web/cookies.ts',
    find: "const secure = new URL(baseUrl).protocol === 'https:';",
    replace: 'const secure = false;',
    tests: ['packages/entrakit/test/web/web-auth.test.ts'],
    why: 'the web cookies are Secure (and __Host-) on an https base URL',
  },
  {
    id: 'emulator-browser-id-httponly',
    file: 'packages/emulator/src/sign-in/cookies.ts',
    find: 'setCookie(c, BROWSER_COOKIE, id, { httpOnly: true,',
    replace: 'setCookie(c, BROWSER_COOKIE, id, { httpOnly: false,',
    tests: [`${EMULATOR_TESTS}/sign-in/sign-in.test.ts`],
    why: 'the browser-id cookie is HttpOnly',
  },
  {
    id: 'admin-cookie-httponly',
    file: 'packages/emulator/src/request-log/admin-routes.ts',
    find: "setCookie(c, ADMIN_COOKIE, adminCookieValue(deps), { httpOnly: true,",
    replace: "setCookie(c, ADMIN_COOKIE, adminCookieValue(deps), { httpOnly: false,",
    tests: [`${EMULATOR_TESTS}/request-log/request-log.test.ts`],
    why: 'the admin cookie is HttpOnly',
  },
  {
    id: 'admin-cookie-samesite',
    file: 'packages/emulator/src/request-log/admin-routes.ts',
    find: "sameSite: 'Strict', path: '/' });",
    replace: "sameSite: 'Lax', path: '/' });",
    tests: [`${EMULATOR_TESTS}/request-log/request-log.test.ts`],
    why: 'the admin cookie is SameSite=Strict',
  },
  {
    id: 'admin-forged-cookie',
    file: 'packages/emulator/src/request-log/admin-routes.ts',
    find: 'return cookie !== undefined && timingSafeStringEqual(cookie, adminCookieValue(deps));',
    replace: 'return cookie !== undefined;',
    tests: [`${EMULATOR_TESTS}/request-log/request-log.test.ts`],
    why: 'any value in the admin cookie must not open /_admin',
  },

  // Admin writes
  {
    id: 'admin-cross-site-write',
    file: 'packages/emulator/src/endpoints/admin.ts',
    find: 'const crossSite = crossSiteAdminWrite(c, deps.publicUrl);',
    replace: 'const crossSite = undefined as string | undefined;',
    tests: [`${EMULATOR_TESTS}/request-log/request-log.test.ts`],
    why: 'admin writes from another origin (same site included) are refused',
  },
  {
    id: 'admin-write-json-only',
    file: 'packages/emulator/src/endpoints/admin.ts',
    find: 'if (!adminWriteIsJson(c)) return',
    replace: 'if (false) return',
    tests: [`${EMULATOR_TESTS}/request-log/request-log.test.ts`],
    why: 'admin writes take JSON only (no form or text/plain posts)',
  },

  // PKCE
  {
    id: 'pkce-downgrade',
    file: 'packages/emulator/src/grants/authorization-code.ts',
    find: '    if (verifier !== undefined) throw pkceMismatch();\n',
    replace: '',
    tests: [`${EMULATOR_TESTS}/grants/authorization-code.test.ts`],
    why: 'a verifier for a code issued without a challenge is refused',
  },
  {
    id: 'pkce-verifier-format',
    file: 'packages/emulator/src/grants/authorization-code.ts',
    find: '!VERIFIER.test(verifier) || ',
    replace: '',
    tests: [`${EMULATOR_TESTS}/grants/authorization-code.test.ts`],
    why: 'the verifier is 43 to 128 unreserved characters even when its hash matches',
  },

  // Second factor
  {
    id: 'mfa-user-lockout',
    file: 'packages/emulator/src/sign-in/second-factor.ts',
    find: 'if (!stepUp.reserveMfaAttempt(active.user.id, now, MAX_USER_MFA_FAILURES, LOCKOUT_MS)) {',
    replace: 'if (!stepUp.reserveMfaAttempt(active.user.id, now, MAX_USER_MFA_FAILURES, LOCKOUT_MS) && false) {',
    tests: [`${EMULATOR_TESTS}/step-up/step-up.test.ts`],
    why: 'wrong codes across sign-ins lock the user out',
  },
  {
    id: 'mfa-lockout-limit-in-sql',
    file: 'packages/emulator/src/directory/step-up.ts',
    find: 'OR failures < :limit',
    replace: 'OR failures < :limit + 100',
    tests: [`${EMULATOR_TESTS}/step-up/step-up.test.ts`],
    why: 'the atomic statement enforces the per-user limit',
  },
  {
    id: 'totp-code-once',
    file: 'packages/emulator/src/sign-in/second-factor.ts',
    find: 'if (step !== undefined && stepUp.acceptTotpStep(active.user.id, step)) {',
    replace: 'if (step !== undefined) {',
    tests: [`${EMULATOR_TESTS}/step-up/step-up.test.ts`],
    why: 'a TOTP code is accepted once (RFC 6238 §5.2)',
  },

  // Device code
  {
    id: 'device-code-other-client',
    file: 'packages/emulator/src/grants/device-code.ts',
    find: 'if (!record || record.clientId !== client.clientId) throw unknownCode();',
    replace: 'if (!record) throw unknownCode();',
    tests: [`${EMULATOR_TESTS}/device-code/device-code.test.ts`],
    why: 'a device code polled by another client is refused',
  },
  {
    id: 'device-page-session-sid',
    file: 'packages/emulator/src/endpoints/device-verification.ts',
    find: 'if (!active || active.session.sid !== tx.sid) {',
    replace: 'if (!active) {',
    tests: [`${EMULATOR_TESTS}/device-code/device-code.test.ts`],
    why: 'Continue counts only for the SSO session that was shown',
  },
  {
    id: 'device-page-expiry-at-entry',
    file: 'packages/emulator/src/endpoints/device-verification.ts',
    find: '  if (record.expiresAt <= deps.clock()) {',
    replace: '  if (false) {',
    tests: [`${EMULATOR_TESTS}/device-code/device-code.test.ts`],
    why: 'an expired code is refused when it is entered',
  },
  {
    id: 'device-page-code-form-csrf',
    file: 'packages/emulator/src/endpoints/device-verification.ts',
    find: "if (!timingSafeStringEqual(form.get('csrf') ?? '', csrf)) {",
    replace: 'if (false) {',
    tests: [`${EMULATOR_TESTS}/device-code/device-code.test.ts`],
    why: 'the code form checks its CSRF token',
  },
  {
    id: 'device-page-transaction-csrf',
    file: 'packages/emulator/src/endpoints/device-verification.ts',
    find: "if (!verifyCsrfToken(deps.cookieSecret, tx.id, browserId, form.get('csrf') ?? undefined)) {",
    replace: 'if (false) {',
    tests: [`${EMULATOR_TESTS}/device-code/device-code.test.ts`],
    why: 'the later device forms check their CSRF token',
  },

  // Graph
  {
    id: 'batch-leaves-graph',
    file: 'packages/emulator/src/graph/routes.ts',
    find: 'const dispatch = async (request: Request): Promise<Response> => graphOnly.fetch(request);',
    replace: 'const dispatch = async (request: Request): Promise<Response> => app.fetch(request);',
    tests: [`${EMULATOR_TESTS}/graph/advanced-queries.test.ts`],
    why: '$batch parts stay inside Graph (no discovery, JWKS or /_admin through dot segments)',
  },
  {
    id: 'identifier-uri-api-appid',
    file: 'packages/emulator/src/graph/applications.ts',
    find: "...directory.objects.list('servicePrincipal', tenantId).filter((sp) => sp.appId !== app.appId).flatMap((sp) => [...sp.servicePrincipalNames.map(normalize), `api://${sp.appId.toLowerCase()}`]),",
    replace: "...directory.objects.list('servicePrincipal', tenantId).filter((sp) => sp.appId !== app.appId).flatMap((sp) => sp.servicePrincipalNames.map(normalize)),",
    tests: [`${EMULATOR_TESTS}/graph/app-registration.test.ts`],
    why: "an app cannot claim api://{another app's appId}, Graph's included",
  },

  // CORS
  {
    id: 'cors-tenant-scope',
    file: 'packages/emulator/src/endpoints/cors.ts',
    find: "(app.multiTenant || (authority.kind === 'tenant' && authority.tenant.id === app.tenantId)),",
    replace: 'true,',
    tests: [`${EMULATOR_TESTS}/endpoints/cors.test.ts`],
    why: "another tenant's token endpoint does not reflect a single-tenant SPA's origin",
  },
  {
    id: 'cors-app-scope',
    file: 'packages/emulator/src/endpoints/cors.ts',
    find: '(wanted === undefined || app.appId === wanted) &&',
    replace: 'true &&',
    tests: [`${EMULATOR_TESTS}/endpoints/cors.test.ts`],
    why: "tokens are readable only from the origins of the app they were issued to",
  },

  // Front channel
  {
    id: 'logout-echoes-unregistered-uri',
    file: 'packages/emulator/src/endpoints/logout.ts',
    find: "uri: next ? get('post_logout_redirect_uri') : undefined,",
    replace: "uri: get('post_logout_redirect_uri'),",
    tests: [`${EMULATOR_TESTS}/sign-in/logout.test.ts`],
    why: 'an unregistered post_logout_redirect_uri is never echoed',
  },

  // Availability of a session across outages
  {
    id: 'emulator-close-drops-answers',
    file: 'packages/emulator/src/server.ts',
    find: 'if (inFlight.count > 0) {',
    replace: 'if (false) {',
    tests: [`${EMULATOR_TESTS}/server/persistence.test.ts`],
    why: 'stopping the emulator delivers answers under way (a stored refresh-token rotation is not lost)',
  },
  {
    id: 'web-idp-unreachable-is-not-sign-in',
    file: 'packages/entrakit/src/web/access-token.ts',
    find: "if (isEntrakitError(error, 'IDP_UNREACHABLE') || (error instanceof AuthError && !(error instanceof ServerError) && error.errorCode === 'network_error')) {",
    replace: 'if (false) {',
    tests: [`${WEB_TESTS}/faults.test.ts`],
    why: 'an unreachable token endpoint shows the cause and keeps the session',
  },

  // Web app CSRF
  {
    id: 'web-csrf-story-delete',
    file: 'apps/web/routes/story.ts',
    find: "app.post('/story/delete', requireSignIn(), csrfProtection({ baseUrl: deps.config.baseUrl }),",
    replace: "app.post('/story/delete', requireSignIn(),",
    tests: [`${WEB_TESTS}/sign-in-and-sessions.test.ts`],
    why: 'deleting the story needs the CSRF checks',
  },
  {
    id: 'web-csrf-token-compare',
    file: 'apps/web/middleware/csrf.ts',
    find: "if (typeof token !== 'string' || !sameToken(token, session.data.csrf)) {",
    replace: "if (typeof token !== 'string') {",
    tests: [`${WEB_TESTS}/sign-in-and-sessions.test.ts`],
    why: "the app's forms must carry the session's anti-forgery token",
  },
  {
    id: 'web-fetch-token-over-plain-http',
    file: 'packages/entrakit/src/web/web-auth-api.ts',
    find: "if (typeof href !== 'string' || !httpsOrLoopbackUrl(href)) throw",
    replace: "if (typeof href !== 'string' || !/^https?:\\/\\//.test(href)) throw",
    tests: ['packages/entrakit/test/web/fetch-and-throttling.test.ts'],
    why: "entra.fetch sends the user's token over plain http only to this machine",
  },
  {
    id: 'web-csrf-sign-out-global',
    file: 'packages/entrakit/src/web/sign-out.ts',
    find: "export async function signOutEverywhere(core: WebCore, request: Request, session: LoadedSession | undefined): Promise<Response> {\n  await checkCsrf(request, core.settings.baseUrl, session);",
    replace: 'export async function signOutEverywhere(core: WebCore, request: Request, session: LoadedSession | undefined): Promise<Response> {',
    tests: [`${WEB_TESTS}/sign-in-and-sessions.test.ts`],
    why: 'signing out everywhere needs the CSRF checks',
  },
  {
    id: 'web-csrf-sign-out-local',
    file: 'packages/entrakit/src/web/sign-out.ts',
    find: "export async function signOut(core: WebCore, request: Request, session: LoadedSession | undefined): Promise<Response> {\n  await checkCsrf(request, core.settings.baseUrl, session);",
    replace: 'export async function signOut(core: WebCore, request: Request, session: LoadedSession | undefined): Promise<Response> {',
    tests: [`${WEB_TESTS}/sign-in-and-sessions.test.ts`],
    why: 'signing out of this browser needs the CSRF checks',
  },
];
