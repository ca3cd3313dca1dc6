import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trustCaCertificate } from '../src/core/trust-ca.ts';
import { HTTP_CONNECTIONS, HTTP_DURATION_SEC, HTTP_WARMUP_SEC, measureGet } from './lib/http-phase.ts';
import { flagFailures, printNotes, printRatios, printTable, warnIfBusy, writeResult, type Ratio } from './lib/report.ts';
import type { MeasuredLoad } from './lib/server-cpu.ts';
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
    const user = devJson.users[0];
    if (!user) throw new Error('dev.json lists no users');
    console.log(`signing in ${user.username} for ${devJson.apps.api.scope} (browser-free, consent accepted if asked)`);
    const { access_token: token } = await signInDirect({
      authority: devJson.authority,
      clientId: devJson.apps.web.clientId,
      clientSecret: devJson.apps.web.clientSecret,
      redirectUri: devJson.apps.web.redirectUri,
      scope: `openid profile offline_access ${devJson.apps.api.scope}`,
      username: user.username,
      password: user.password,
    });
    const auth = { authorization: `Bearer ${token}` };
    const metadata = (await (await fetch(`${devJson.authority}/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    const verifier: VerifierInput = { jwksUri: metadata.jwks_uri, issuer: metadata.issuer, audience: devJson.apps.api.clientId, caPem };

    const results: MeasuredLoad[] = [];
    await withServer<Url>(entry('api-server'), { dataDir }, async (pid, { url }) => {
      console.log('entrakit API (startApi): GET /api/me with the token, then GET /health');
      results.push(await measureGet('entrakit API /api/me (bearer)', pid, `${url}/api/me`, auth));
      results.push(await measureGet('entrakit API /health (no auth)', pid, `${url}/health`));
    });
    await withServer<Url>(entry('express-jwt-server'), verifier, async (pid, { url }) => {
      console.log('Express + express-jwt + jwks-rsa: GET /api/me');
      results.push(await measureGet('Express + express-jwt + jwks-rsa', pid, `${url}/api/me`, auth));
    });
    for (const preloadKeys of [false, true]) {
      await withServer<Url>(entry('hono-jwk-server'), { ...verifier, preloadKeys }, async (pid, { url }) => {
        const name = `hono/jwk (${preloadKeys ? 'keys preloaded' : 'jwks_uri'})`;
        console.log(`${name}: GET /api/me`);
        results.push(await measureGet(name, pid, `${url}/api/me`, auth));
      });
    }
    report(results);
    const [protectedRoute, unprotected, expressJwt] = results;
    const ratios: Ratio[] = [
      { name: 'protected / unprotected (same server)', value: (protectedRoute?.rps ?? 0) / (unprotected?.rps ?? 1), target: 0.85 },
      { name: 'protected / Express + express-jwt', value: (protectedRoute?.rps ?? 0) / (expressJwt?.rps ?? 1), target: 4 },
    ];
    printRatios(ratios);
    flagFailures(results.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0), 'non-2xx responses or errors under load');
    await writeResult('api', { load: { connections: HTTP_CONNECTIONS, warmupSec: HTTP_WARMUP_SEC, durationSec: HTTP_DURATION_SEC }, results, ratios });
  } finally {
    await emulator.stop();
  }
}

async function withServer<Info>(file: URL, input: object, run: (pid: number, info: Info) => Promise<void>): Promise<void> {
  const server = await startServerProcess<Info>(file, input);
  try {
    await run(server.pid, server.info);
  } finally {
    await server.stop();
  }
}

function report(results: MeasuredLoad[]): void {
  printTable(`Requests per second, same RS256 user token (${HTTP_CONNECTIONS} connections, ${HTTP_DURATION_SEC} s after ${HTTP_WARMUP_SEC} s warm-up)`, results.map((r) => ({
    server: r.name,
    'req/s': r.rps,
    'p50 ms': r.latencyMs.p50,
    'p99 ms': r.latencyMs.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    'server CPU ms/req': r.serverCpu ? (r.serverCpu.mainMsPerReq + r.serverCpu.threadpoolMsPerReq + r.serverCpu.otherMsPerReq).toFixed(3) : 'n/a',
  })));
  printNotes(['hono/jwk with jwks_uri fetches the JWKS from the emulator on every request (no cache), by design of that middleware.']);
}
