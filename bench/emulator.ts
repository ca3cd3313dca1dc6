import { mkdtemp } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { trustCaCertificate } from '../src/core/trust-ca.ts';
import { ensureLocalTls } from '../src/emulator/tls/local-ca.ts';
import { summarizeProfile } from './lib/cpu-profile.ts';
import { flagFailures, printNotes, printRatios, printTable, warnIfBusy, writeResult, type Ratio } from './lib/report.ts';
import type { MeasuredLoad } from './lib/server-cpu.ts';
import { startServerProcess } from './lib/server-process.ts';
import { checkTokenEndpoint, CONNECTIONS, DURATION_SEC, loadTokenEndpoint, WARMUP_SEC } from './lib/token-endpoint.ts';
import { rawSigningRate } from './raw-signing.ts';
import type { EmulatorInfo } from './servers/emulator-server.ts';
import type { OidcProviderInfo } from './servers/oidc-provider-server.ts';

const SIGNING_MS = 5000;
type Phase = { load?: MeasuredLoad; problem?: string };

/** `npm run bench -- emulator`: raw RS256 signing, the emulator's and node-oidc-provider's client-credentials tokens/s. */
export async function emulatorBench(): Promise<void> {
  warnIfBusy();
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-bench-emulator-'));
  const tls = await ensureLocalTls(dataDir);
  trustCaCertificate(tls.caPem);
  const threads = availableParallelism();
  console.log(`raw RS256-2048 signing (node:crypto): 1 thread, then ${threads} threads, ${SIGNING_MS / 1000} s each`);
  const signingOneThread = await rawSigningRate(1, SIGNING_MS);
  const signingAllCores = await rawSigningRate(threads, SIGNING_MS);
  console.log('emulator (HTTPS, own process): client credentials for Microsoft Graph');
  const emulator = await measureEmulator(dataDir);
  console.log('node-oidc-provider (HTTPS with the same certificate, own process): client credentials, RS256 JWT');
  const oidc = await measureOidcProvider(tls);

  printTable(`Tokens and signatures per second (${CONNECTIONS} connections, ${DURATION_SEC} s after ${WARMUP_SEC} s warm-up)`, [
    { what: 'raw RS256 signing, 1 thread', 'per second': signingOneThread, ...blank },
    { what: `raw RS256 signing, ${threads} threads`, 'per second': signingAllCores, ...blank },
    row('emulator tokens', emulator),
    row('node-oidc-provider tokens', oidc),
  ]);
  printNotes([
    emulator.problem && `emulator skipped: ${emulator.problem}`,
    oidc.problem && `node-oidc-provider skipped: ${oidc.problem}`,
    'server CPU ms/token: CPU time of the server process per response, main thread + libuv threadpool (Linux only)',
  ]);
  const ratios: Ratio[] = [];
  if (emulator.load && oidc.load) ratios.push({ name: 'emulator / node-oidc-provider', value: emulator.load.rps / oidc.load.rps, target: 1 });
  if (emulator.load) ratios.push({ name: 'emulator / raw signing (all cores)', value: emulator.load.rps / signingAllCores, target: 0.7 });
  printRatios(ratios);
  const bad = [emulator, oidc].reduce((n, p) => n + (p.load ? p.load.non2xx + p.load.errors + p.load.timeouts : 1), 0);
  flagFailures(bad, 'non-2xx responses, errors, or unusable token endpoints');

  const profile = ratios.some((r) => r.value < r.target) ? await profileEmulator(dataDir) : undefined;
  await writeResult('emulator', {
    transport: 'https for both token endpoints (same local-CA leaf certificate)',
    load: { connections: CONNECTIONS, warmupSec: WARMUP_SEC, durationSec: DURATION_SEC },
    signing: { threads, oneThreadPerSec: signingOneThread, allThreadsPerSec: signingAllCores },
    emulator: emulator.load ?? { skipped: emulator.problem },
    oidcProvider: oidc.load ?? { skipped: oidc.problem },
    ratios,
    ...(profile ? { profile } : {}),
  });
}

async function measureEmulator(dataDir: string, execArgv: string[] = []): Promise<Phase> {
  const server = await startServerProcess<EmulatorInfo>(new URL('./servers/emulator-server.ts', import.meta.url), { dataDir }, execArgv);
  try {
    const { url, caPem, devJson } = server.info;
    const tokenUrl = `${url.replace('//localhost:', '//127.0.0.1:')}/${devJson.tenantId}/oauth2/v2.0/token`;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: devJson.apps.web.clientId,
      client_secret: devJson.apps.web.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }).toString();
    const problem = await checkTokenEndpoint(tokenUrl, form);
    return problem ? { problem } : { load: await loadTokenEndpoint('emulator', server.pid, tokenUrl, form, caPem) };
  } finally {
    await server.stop();
  }
}

async function measureOidcProvider(tls: { certPem: string; keyPem: string; caPem: string }): Promise<Phase> {
  const entry = new URL('./servers/oidc-provider-server.ts', import.meta.url);
  const server = await startServerProcess<OidcProviderInfo>(entry, { tls: { certPem: tls.certPem, keyPem: tls.keyPem } });
  try {
    const { tokenUrl, form } = server.info;
    const problem = await checkTokenEndpoint(tokenUrl, form);
    return problem ? { problem } : { load: await loadTokenEndpoint('node-oidc-provider', server.pid, tokenUrl, form, tls.caPem) };
  } finally {
    await server.stop();
  }
}

/** Re-runs the emulator phase under --cpu-prof and prints where its main thread spends time. */
async function profileEmulator(dataDir: string) {
  const profileDir = join(dataDir, 'cpu-profile');
  console.log(`\nA target was missed: profiling the emulator process (--cpu-prof, ${profileDir})`);
  const run = await measureEmulator(dataDir, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const summary = await summarizeProfile(profileDir);
  printTable('Emulator main thread, self time by function (% of samples)', summary.functions.map((h) => ({ function: h.name, 'self %': h.selfPercent })));
  printTable('Emulator main thread, self time by file or package', summary.modules.map((h) => ({ where: h.name, 'self %': h.selfPercent })));
  printNotes([
    'Samples are wall-clock: a thread waiting for a core counts against the function it was in.',
    'WebCrypto RS256 signing itself runs on the libuv threadpool (see "pool" CPU above), not in these samples.',
  ]);
  return { tokensPerSecUnderProfiler: run.load?.rps, ...summary };
}

const blank = { 'p99 ms': '', non2xx: '', errors: '', 'CPU ms/token main': '', pool: '' };

function row(what: string, phase: Phase): Record<string, string | number> {
  const load = phase.load;
  if (!load) return { what, 'per second': 'skipped', ...blank };
  const cpu = load.serverCpu;
  return {
    what,
    'per second': load.rps,
    'p99 ms': load.latencyMs.p99,
    non2xx: load.non2xx,
    errors: load.errors + load.timeouts,
    'CPU ms/token main': cpu ? cpu.mainMsPerReq.toFixed(2) : 'n/a',
    pool: cpu ? cpu.threadpoolMsPerReq.toFixed(2) : 'n/a',
  };
}
