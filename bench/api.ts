import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevJson } from '../packages/emulator/src/dev-json.ts';
import { trustCaCertificate } from '../packages/entrakit/src/core/trust-ca.ts';
import { best, ROUNDS } from './lib/load.ts';
import { HTTP_CONNECTIONS, HTTP_DURATION_SEC, HTTP_WARMUP_SEC, measureGet } from './lib/http-phase.ts';
import { flagFailures, printNotes, printRatios, printTable, warnIfBusy, writeResult, type Ratio } from './lib/report.ts';
import { byCpu, cpuPerRequest, type MeasuredLoad } from './lib/server-cpu.ts';
import { startServerProcess } from './lib/server-process.ts';
import { signInDirect } from './lib/sign-in.ts';
import type { EmulatorInfo } from './servers/emulator-server.ts';
import type { VerifierInput } from './servers/express-jwt-server.ts';

type Url = { url: string };
const entry = (name: string) => new URL(`./servers/${name}.ts`, import.meta.url);

/** `npm run bench -- api`: the API's protected and unprotected routes against Express + express-jwt and hono/jwk, same token. */
export async function apiBench(): Promise<void> {
  warnIfBusy();
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-bench-api-'));
  const emulator = await startServerProcess<EmulatorInfo>(entry('emulator-server'), { dataDir });
  try {
    const { caPem, devJson } = emulator.info;
    trustCaCertificate(caPem);
    const token = await userTokenForApi(devJson);
    const auth = { authorization: `Bearer ${token}` };
    const metadata = (await (await fetch(`${devJson.authority}/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    const verifier: VerifierInput = { jwksUri: metadata.jwks_uri, issuer: metadata.issuer, audience: devJson.apps.api.clientId, caPem };

    // All servers stay up (idle ones cost nothing); phases are interleaved over rounds and the best run kept.
    const servers = await Promise.all([
      startServerProcess<Url>(entry('api-server'), { dataDir }),
      startServerProcess<Url>(entry('express-jwt-server'), verifier),
      startServerProcess<Url>(entry('hono-jwk-server'), { ...verifier, preloadKeys: false }),
      startServerProcess<Url>(entry('hono-jwk-server'), { ...verifier, preloadKeys: true }),
    ]);
    const [api, express, honoUri, honoKeys] = servers;
    const phases = [
      { name: 'entrakit API /api/me (bearer)', server: api, path: '/api/me', headers: auth },
      // The same request bytes (Authorization header included) go to both API routes, so the
      // ratio isolates what the bearer check costs, not the parsing of a 1 KB header.
      { name: 'entrakit API /health (no auth)', server: api, path: '/health', headers: auth },
      { name: 'Express + express-jwt + jwks-rsa', server: express, path: '/api/me', headers: auth },
      { name: 'hono/jwk (jwks_uri)', server: honoUri, path: '/api/me', headers: auth },
      { name: 'hono/jwk (keys preloaded)', server: honoKeys, path: '/api/me', headers: auth },
    ];
    const runs = new Map<string, MeasuredLoad[]>(phases.map((p) => [p.name, []]));
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        for (const { name, server, path, headers } of phases) {
          if (!server) continue;
          console.log(`round ${round}/${ROUNDS}: ${name}`);
          runs.get(name)?.push(await measureGet(name, server.pid, `${server.info.url}${path}`, headers));
        }
      }
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
    const results = [...runs.values()].map((r) => best(r)).filter((r) => r !== undefined);
    report(results);
    const [protectedRoute, unprotected, expressJwt] = results;
    const ratios: Ratio[] = [
      { name: 'protected / unprotected (same server)', value: (protectedRoute?.rps ?? 0) / (unprotected?.rps ?? 1), target: 0.85, ...byCpu(protectedRoute, unprotected) },
      { name: 'protected / Express + express-jwt', value: (protectedRoute?.rps ?? 0) / (expressJwt?.rps ?? 1), target: 4, ...byCpu(protectedRoute, expressJwt) },
    ];
    printRatios(ratios);
    const all = [...runs.values()].flat();
    flagFailures(all.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0), 'non-2xx responses or errors under load');
    const load = { connections: HTTP_CONNECTIONS, warmupSec: HTTP_WARMUP_SEC, durationSec: HTTP_DURATION_SEC, rounds: ROUNDS };
    await writeResult('api', { load, best: results, runs: Object.fromEntries(runs), ratios });
  } finally {
    await emulator.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
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

function perCore(r: MeasuredLoad): number | string {
  const ms = cpuPerRequest(r);
  return ms ? 1000 / ms : 'n/a';
}

function report(results: MeasuredLoad[]): void {
  printTable(`Requests per second, same RS256 user token (${HTTP_CONNECTIONS} connections, ${HTTP_DURATION_SEC} s after ${HTTP_WARMUP_SEC} s warm-up, best of ${ROUNDS})`, results.map((r) => ({
    server: r.name,
    'req/s': r.rps,
    'p50 ms': r.latencyMs.p50,
    'p99 ms': r.latencyMs.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    'server CPU ms/req': cpuPerRequest(r)?.toFixed(3) ?? 'n/a',
    'req/s per server core': perCore(r),
    'load gen CPU %': r.generatorCpuPercent ?? 'n/a',
  })));
  const saturated = results.some((r) => (r.generatorCpuPercent ?? 0) >= 90);
  printNotes([
    ...(saturated ? ['The load generator used a whole core in some phases: their req/s is capped by it, so compare "by server CPU" too.'] : []),
    '"req/s per server core" = 1000 / server CPU ms per request: what one core of the server would sustain.','hono/jwk with jwks_uri fetches the JWKS from the emulator on every request (no cache), by design of that middleware.']);
}
