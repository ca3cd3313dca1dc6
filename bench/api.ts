import { mkdtemp, rm } from 'node:fs/promises';
import type { JsonWebKey } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevJson } from '../packages/emulator/src/dev-json.ts';
import { trustCaCertificate } from '../packages/entrakit/src/core/trust-ca.ts';
import { summarizeProfile, type HotSpot } from './lib/cpu-profile.ts';
import { best, ROUNDS } from './lib/load.ts';
import { HTTP_CONNECTIONS, HTTP_DURATION_SEC, HTTP_WARMUP_SEC, measureGet } from './lib/http-phase.ts';
import { flagFailures, meetsTarget, printNotes, printRatios, printTable, warnIfBusy, writeResult, type Ratio } from './lib/report.ts';
import { byCpu, cpuPerRequest, type MeasuredLoad } from './lib/server-cpu.ts';
import { startServerProcess, type ServerProcess } from './lib/server-process.ts';
import { signInDirect } from './lib/sign-in.ts';
import { rawVerifyRate } from './raw-verify.ts';
import type { BearerAppInput } from './servers/bearer-app-server.ts';
import type { EmulatorInfo } from './servers/emulator-server.ts';
import type { VerifierInput } from './servers/express-jwt-server.ts';

type Url = { url: string };
const entry = (name: string) => new URL(`./servers/${name}.ts`, import.meta.url);

/**
 * Distinct tokens for the cache-miss phase. bearerAuth keeps 10,000 verified tokens by default and
 * drops the oldest first, so sending more than that in turn makes every request a miss.
 */
const MISS_TOKENS = 12_000;
const MINT_CONCURRENCY = 16;
const HIT_PROTECTED = 'Hono + bearerAuth (entrakit/bearer)';
const HIT_OPEN = 'Hono, same handler, no bearerAuth';
const VERIFY_MS = 3000;

interface Phase {
  name: string;
  server: ServerProcess<Url>;
  path: string;
  headers: Record<string, string>;
  authorizations?: string[];
  overallRate?: number;
}

/**
 * `npm run bench -- api`: a Hono app with bearerAuth (entrakit/bearer) on a route vs the same
 * handler without it, Express 5 + express-jwt and hono/jwk; first with one token (the verified-token
 * cache hits), then with a different token on every request (every request is a full check).
 */
export async function apiBench(): Promise<void> {
  warnIfBusy();
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-bench-api-'));
  const emulator = await startServerProcess<EmulatorInfo>(entry('emulator-server'), { dataDir });
  const started: Array<ServerProcess<Url>> = [];
  try {
    const { caPem, devJson } = emulator.info;
    trustCaCertificate(caPem);
    const token = await userTokenForApi(devJson);
    const auth = { authorization: `Bearer ${token}` };
    const metadata = (await (await fetch(`${devJson.authority}/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    const jwks = ((await (await fetch(metadata.jwks_uri)).json()) as { keys: JsonWebKey[] }).keys;
    const verifier: VerifierInput = { jwksUri: metadata.jwks_uri, issuer: metadata.issuer, audience: devJson.apps.api.clientId, caPem };
    const appInput: BearerAppInput = { authority: devJson.authority, tenantId: devJson.tenantId, audience: devJson.apps.api.clientId, caPem };

    const start = async (name: string, input: object, execArgv: string[] = []) => {
      const server = await startServerProcess<Url>(entry(name), input, execArgv);
      started.push(server);
      return server;
    };
    // All servers stay up (idle ones cost nothing); phases are interleaved over rounds and the best run kept.
    const [app, express, honoKeys, honoUri] = await Promise.all([
      start('bearer-app-server', appInput),
      start('express-jwt-server', verifier),
      start('hono-jwk-server', { ...verifier, preloadKeys: true }),
      start('hono-jwk-server', { ...verifier, preloadKeys: false }),
    ]);

    console.log(`\nphase 1: the same RS256 user token on every request`);
    const hit = await runPhases([
      { name: HIT_PROTECTED, server: app, path: '/api/me', headers: auth },
      // The same request bytes (Authorization header included) go to the unprotected route, so the
      // ratio isolates what the bearer check costs, not the parsing of a 1.5 KB header.
      { name: HIT_OPEN, server: app, path: '/open/me', headers: auth },
      { name: 'Hono, same handler, a no-op middleware', server: app, path: '/noop/me', headers: auth },
      { name: 'Express 5 + express-jwt + jwks-rsa', server: express, path: '/api/me', headers: auth },
      { name: 'hono/jwk (keys preloaded)', server: honoKeys, path: '/api/me', headers: auth },
      { name: 'hono/jwk (jwks_uri)', server: honoUri, path: '/api/me', headers: auth },
    ]);

    // CPU per request falls as the request rate rises (more requests per event-loop turn and
    // system call), so the faster route looks cheaper for being faster. The same two routes at
    // one fixed rate, below what either sustains, compare their costs alone.
    const [fastest, slowest] = [hit.get(HIT_PROTECTED), hit.get(HIT_OPEN)].map((runs) => best(runs ?? [])?.rps ?? 0).sort((a, b) => b - a);
    const fixedRate = Math.max(1000, Math.round((0.6 * (slowest ?? fastest ?? 0)) / 1000) * 1000);
    console.log(`\nphase 1b: the same two routes at a fixed ${fixedRate} requests per second`);
    const fixed = await runPhases([
      { name: `${HIT_PROTECTED}, ${fixedRate} req/s`, server: app, path: '/api/me', headers: auth, overallRate: fixedRate },
      { name: `${HIT_OPEN}, ${fixedRate} req/s`, server: app, path: '/open/me', headers: auth, overallRate: fixedRate },
    ]);

    console.log(`\nphase 2: a different token on every request: minting ${MISS_TOKENS} client-credentials tokens for the API`);
    const tokens = await mintAppTokens(devJson, MISS_TOKENS);
    const authorizations = tokens.map((t) => `Bearer ${t}`);
    const first = { authorization: authorizations[0] ?? '' };
    const miss = await runPhases([
      { name: 'Hono + bearerAuth, new token each request', server: app, path: '/api/me', headers: first, authorizations },
      { name: 'Express 5 + express-jwt, new token each request', server: express, path: '/api/me', headers: first, authorizations },
      { name: 'hono/jwk (keys preloaded), new token each request', server: honoKeys, path: '/api/me', headers: first, authorizations },
    ]);
    const threads = availableParallelism();
    console.log(`raw RS256 verification of the same tokens (node:crypto verify), 1 and ${threads} threads`);
    const verifyOne = await rawVerifyRate(jwks, tokens, 1, VERIFY_MS);
    const verifyAll = await rawVerifyRate(jwks, tokens, threads, VERIFY_MS);

    const hitBest = [...hit.values()].map((r) => best(r)).filter((r) => r !== undefined);
    const missBest = [...miss.values()].map((r) => best(r)).filter((r) => r !== undefined);
    // At a fixed rate "best" is the least CPU per request among runs that kept the rate (within 5 %).
    const fixedBest = [...fixed.values()]
      .map((runs) => {
        const kept = runs.filter((r) => r.rps >= 0.95 * fixedRate);
        if (kept.length === 0) return best(runs);
        return kept.reduce<MeasuredLoad | undefined>((top, r) => (top && (cpuPerRequest(top) ?? Infinity) <= (cpuPerRequest(r) ?? Infinity) ? top : r), undefined);
      })
      .filter((r) => r !== undefined);
    report('Phase 1: the same RS256 user token on every request (verified-token cache hits)', hitBest);
    report(`Phase 1b: the same token, both routes at ${fixedRate} req/s (of ${ROUNDS} runs, the least CPU among those that kept the rate)`, fixedBest);
    report(`Phase 2: a different token on every request (${MISS_TOKENS} tokens in turn: every bearerAuth request is a full check)`, missBest);
    printTable('Raw RS256 signature checks, node:crypto verify over the same tokens (no parsing, no claims)', [
      { what: 'raw RS256 verify, 1 thread', 'per second': verifyOne, 'CPU µs/verify': 1e6 / verifyOne },
      { what: `raw RS256 verify, ${threads} threads`, 'per second': verifyAll, 'CPU µs/verify': (1e6 * threads) / verifyAll },
    ]);

    const [protectedHit, unprotected, noopMiddleware, expressHit] = hitBest;
    const [protectedMiss, expressMiss] = missBest;
    const rawVerifyCpu = { name: 'raw verify', serverCpu: { mainMsPerReq: 1000 / verifyOne, threadpoolMsPerReq: 0, otherMsPerReq: 0 } } as MeasuredLoad;
    const ratios: Ratio[] = [
      { name: 'protected / unprotected (same app, same token)', value: ratio(protectedHit, unprotected), target: 0.9, targetOn: 'cpu', ...byCpu(protectedHit, unprotected) },
      { name: `protected / unprotected at ${fixedRate} req/s each`, value: ratio(fixedBest[0], fixedBest[1]), ...byCpu(fixedBest[0], fixedBest[1]) },
      { name: 'no-op middleware / unprotected (Hono alone)', value: ratio(noopMiddleware, unprotected), ...byCpu(noopMiddleware, unprotected) },
      { name: 'protected / no-op middleware', value: ratio(protectedHit, noopMiddleware), ...byCpu(protectedHit, noopMiddleware) },
      { name: 'protected / Express + express-jwt', value: ratio(protectedHit, expressHit), target: 3, targetOn: 'rps', ...byCpu(protectedHit, expressHit) },
      { name: 'new token each request: bearerAuth / Express', value: ratio(protectedMiss, expressMiss), ...byCpu(protectedMiss, expressMiss) },
      { name: 'new token each request: bearerAuth / raw verify, 1 thread', value: (protectedMiss?.rps ?? 0) / verifyOne, ...byCpu(protectedMiss, rawVerifyCpu) },
    ];
    printRatios(ratios);
    printNotes([
      '"by server CPU/request" = the other side\'s CPU ms per request / this side\'s; for raw verify, the CPU of one signature check.',
      'It is the share of the server\'s work per request that the signature check alone would take.',
    ]);
    const all = [...hit.values(), ...miss.values()].flat();
    flagFailures(all.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0), 'non-2xx responses or errors under load');

    const profile = ratios.some((r) => meetsTarget(r) === false) ? await profileApp(appInput, auth, authorizations, started) : undefined;
    const load = { connections: HTTP_CONNECTIONS, warmupSec: HTTP_WARMUP_SEC, durationSec: HTTP_DURATION_SEC, rounds: ROUNDS, missTokens: MISS_TOKENS };
    await writeResult('api', {
      load,
      sameToken: { best: hitBest, runs: Object.fromEntries(hit) },
      sameTokenFixedRate: { requestsPerSec: fixedRate, best: fixedBest, runs: Object.fromEntries(fixed) },
      newTokenEachRequest: { best: missBest, runs: Object.fromEntries(miss) },
      rawVerify: { threads, oneThreadPerSec: verifyOne, allThreadsPerSec: verifyAll },
      ratios,
      ...(profile ? { profile } : {}),
    });
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await emulator.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function ratio(a: MeasuredLoad | undefined, b: MeasuredLoad | undefined): number {
  return (a?.rps ?? 0) / (b?.rps || 1);
}

async function runPhases(phases: Phase[]): Promise<Map<string, MeasuredLoad[]>> {
  const runs = new Map<string, MeasuredLoad[]>(phases.map((p) => [p.name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const { name, server, path, headers, authorizations, overallRate } of phases) {
      console.log(`round ${round}/${ROUNDS}: ${name}`);
      runs.get(name)?.push(await measureGet(name, server.pid, `${server.info.url}${path}`, headers, authorizations, overallRate));
    }
  }
  return runs;
}

/** A delegated v2 token for the API (scope user_impersonation), from a browser-free sign-in to the emulator. */
async function userTokenForApi(devJson: DevJson): Promise<string> {
  const user = devJson.users[0];
  if (!user) throw new Error('dev.json lists no users');
  console.log(`signing in ${user.username} for ${devJson.apps.api.scope} (browser-free, consent accepted if asked)`);
  const web = devJson.apps.web;
  const request = { authority: devJson.authority, clientId: web.clientId, clientSecret: web.clientSecret, redirectUri: web.redirectUri };
  const tokens = await signInDirect({ ...request, scope: `openid profile offline_access ${devJson.apps.api.scope}`, ...user });
  return tokens.access_token;
}

/** `count` distinct app-only tokens for the API (the web app's client credentials; it holds the app role Api.Admin). */
async function mintAppTokens(devJson: DevJson, count: number): Promise<string[]> {
  const web = devJson.apps.web;
  const scope = devJson.apps.api.scope.replace(/\/[^/]+$/, '/.default');
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: web.clientId, client_secret: web.clientSecret, scope }).toString();
  const tokens = new Set<string>();
  let asked = 0;
  await Promise.all(
    Array.from({ length: MINT_CONCURRENCY }, async () => {
      while (asked < count) {
        asked++;
        const response = await fetch(`${devJson.authority}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
        const answer = (await response.json()) as { access_token?: string; error?: string };
        if (response.status !== 200 || !answer.access_token) throw new Error(`client credentials for the API: HTTP ${response.status} ${answer.error ?? ''}`);
        tokens.add(answer.access_token);
      }
    }),
  );
  if (tokens.size !== count) throw new Error(`minted ${count} tokens but only ${tokens.size} are distinct`);
  return [...tokens];
}

/** One route under load in a fresh app process run with --cpu-prof: CPU ms per request and µs per request by function. */
async function profileRoute(input: BearerAppInput, started: Array<ServerProcess<Url>>, path: string, headers: Record<string, string>, authorizations?: string[]) {
  const profileDir = await mkdtemp(join(tmpdir(), 'entrakit-bench-api-profile-'));
  const server = await startServerProcess<Url>(entry('bearer-app-server'), input, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  started.push(server);
  const run = await measureGet(`profiled ${path}`, server.pid, `${server.info.url}${path}`, headers, authorizations);
  await server.stop();
  const summary = summarizeProfile(profileDir, Infinity, /hono|bearerAuth/);
  await rm(profileDir, { recursive: true, force: true });
  const mainMs = run.serverCpu?.mainMsPerReq ?? 0;
  const perRequest = (spots: HotSpot[]) => new Map(spots.map((h) => [h.name, (h.percent / 100) * mainMs * 1000]));
  return { path, mainMsPerReq: mainMs, cpuMsPerReq: cpuPerRequest(run), self: perRequest(summary.self), inclusive: perRequest(summary.inclusive) };
}

/**
 * Where the protected route's extra time goes: the protected, unprotected and no-op-middleware
 * routes each profiled alone (cache hits), side by side in µs of main-thread CPU per request;
 * then the cache-miss path alone.
 */
async function profileApp(input: BearerAppInput, headers: Record<string, string>, authorizations: string[], started: Array<ServerProcess<Url>>) {
  console.log('\nA target was missed: profiling the Hono + bearerAuth app (--cpu-prof), each route in a process of its own');
  const prot = await profileRoute(input, started, '/api/me', headers);
  const open = await profileRoute(input, started, '/open/me', headers);
  const noop = await profileRoute(input, started, '/noop/me', headers);
  const missed = await profileRoute(input, started, '/api/me', { authorization: authorizations[0] ?? '' }, authorizations);
  // Whole-process profiles include start-up (module compilation, discovery), so compare totals per
  // request and the middleware's own inclusive time rather than small self-time differences.
  printNotes([
    `main-thread CPU per request under the profiler, same token: handler alone ${(open.mainMsPerReq * 1000).toFixed(1)} µs, behind a no-op middleware ${(noop.mainMsPerReq * 1000).toFixed(1)} µs, behind bearerAuth ${(prot.mainMsPerReq * 1000).toFixed(1)} µs`,
  ]);
  const inclusive = [...prot.inclusive].filter(([name]) => /bearerAuth|cachedPrincipal|authorize|compose|dispatch|header|VerifiedTokenCache|get /.test(name)).sort((a, b) => b[1] - a[1]).slice(0, 12);
  printTable('bearerAuth route, same token: inclusive µs per request of the middleware and what it calls', inclusive.map(([name, v]) => ({ function: name, 'µs/request': v })));
  const topMiss = [...missed.self].sort((a, b) => b[1] - a[1]).slice(0, 15);
  printTable(`bearerAuth route, a new token each request (${(missed.mainMsPerReq * 1000).toFixed(1)} µs main-thread CPU per request under the profiler): self time`, topMiss.map(([name, v]) => ({ function: name, 'µs/request': v })));
  const missInclusive = [...missed.inclusive].filter(([name]) => name.includes('packages/entrakit/src/')).sort((a, b) => b[1] - a[1]).slice(0, 12);
  printTable('bearerAuth route, a new token each request: inclusive µs per request in entrakit', missInclusive.map(([name, v]) => ({ function: name, 'µs/request': v })));
  const plain = (r: typeof prot) => ({ path: r.path, mainMsPerReq: r.mainMsPerReq, cpuMsPerReq: r.cpuMsPerReq, selfUs: Object.fromEntries(r.self), inclusiveUs: Object.fromEntries(r.inclusive) });
  return { sameToken: { bearerAuth: plain(prot), handlerAlone: plain(open), noopMiddleware: plain(noop) }, newTokenEachRequest: plain(missed) };
}

function perCore(r: MeasuredLoad): number | string {
  const ms = cpuPerRequest(r);
  return ms ? 1000 / ms : 'n/a';
}

function report(title: string, results: MeasuredLoad[]): void {
  printTable(`${title} (${HTTP_CONNECTIONS} connections, ${HTTP_DURATION_SEC} s after ${HTTP_WARMUP_SEC} s warm-up, best of ${ROUNDS})`, results.map((r) => ({
    server: r.name,
    'req/s': r.rps,
    'p50 ms': r.latencyMs.p50,
    'p99 ms': r.latencyMs.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    'server CPU ms/req': cpuPerRequest(r)?.toFixed(4) ?? 'n/a',
    'main + pool': r.serverCpu ? `${r.serverCpu.mainMsPerReq.toFixed(4)} + ${r.serverCpu.threadpoolMsPerReq.toFixed(4)}` : 'n/a',
    'req/s per server core': perCore(r),
    'load gen CPU %': r.generatorCpuPercent ?? 'n/a',
  })));
  const saturated = results.some((r) => (r.generatorCpuPercent ?? 0) >= 90);
  printNotes([
    ...(saturated ? ['The load generator used a whole core in some phases: their req/s is capped by it, so compare "by server CPU" too.'] : []),
    '"req/s per server core" = 1000 / server CPU ms per request: what one core of the server would sustain.',
  ]);
}
