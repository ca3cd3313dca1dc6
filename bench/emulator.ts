import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { trustCaCertificate } from '../packages/entrakit/src/core/trust-ca.ts';
import { ensureLocalTls } from '../packages/emulator/src/tls/local-ca.ts';
import { summarizeProfile, type HotSpot } from './lib/cpu-profile.ts';
import { best, ROUNDS } from './lib/load.ts';
import { flagFailures, meetsTarget, printNotes, printRatios, printTable, warnIfBusy, writeResult, type Ratio } from './lib/report.ts';
import { byCpu, type MeasuredLoad } from './lib/server-cpu.ts';
import { startServerProcess, type ServerProcess } from './lib/server-process.ts';
import { checkTokenEndpoint, CONNECTIONS, DURATION_SEC, loadTokenEndpoint, WARMUP_SEC } from './lib/token-endpoint.ts';
import { rawSigningRate } from './raw-signing.ts';
import type { EmulatorInfo } from './servers/emulator-server.ts';
import type { OidcProviderInfo } from './servers/oidc-provider-server.ts';

const SIGNING_MS = 4000;
interface Target {
  name: string;
  server: ServerProcess<unknown>;
  tokenUrl: string;
  form: string;
  problem?: string;
  runs: MeasuredLoad[];
}

/** `npm run bench -- emulator`: raw RS256 signing, the emulator's and node-oidc-provider's client-credentials tokens/s. */
export async function emulatorBench(): Promise<void> {
  warnIfBusy();
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-bench-emulator-'));
  const tls = await ensureLocalTls(dataDir);
  trustCaCertificate(tls.caPem);
  const threads = availableParallelism();
  const targets = [await emulatorTarget(dataDir), await oidcProviderTarget(tls)];
  const signing: number[] = [];
  console.log(`${ROUNDS} rounds, best of each kept: raw RS256-2048 signing on ${threads} threads (node:crypto), emulator (HTTPS), node-oidc-provider (HTTPS, same certificate)`);
  const signingOneThread = await rawSigningRate(1, SIGNING_MS);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      signing.push(await rawSigningRate(threads, SIGNING_MS));
      for (const t of targets) if (!t.problem) t.runs.push(await loadTokenEndpoint(t.name, t.server.pid, t.tokenUrl, t.form, tls.caPem));
    }
  } finally {
    for (const t of targets) await t.server.stop();
  }
  const signingAllCores = Math.max(...signing);
  const [emulator, oidc] = targets.map((t) => best(t.runs));
  printTable(`Tokens and signatures per second (${CONNECTIONS} connections, ${DURATION_SEC} s after ${WARMUP_SEC} s warm-up, best of ${ROUNDS})`, [
    { what: 'raw RS256 signing, 1 thread', 'per second': signingOneThread, ...blank },
    { what: `raw RS256 signing, ${threads} threads`, 'per second': signingAllCores, ...blank },
    row('emulator tokens', emulator),
    row('node-oidc-provider tokens', oidc),
  ]);
  printNotes([
    ...targets.map((t) => t.problem && `${t.name} skipped: ${t.problem}`),
    'CPU ms/token: CPU time of the server process per response, main thread and libuv threadpool (Linux only)',
  ]);
  const ratios: Ratio[] = [];
  if (emulator && oidc) ratios.push({ name: 'emulator / node-oidc-provider', value: emulator.rps / oidc.rps, target: 1.2, ...byCpu(emulator, oidc) });
  if (emulator) ratios.push({ name: 'emulator / raw signing (all cores)', value: emulator.rps / signingAllCores, target: 0.7 });
  printRatios(ratios);
  if (emulator) console.log(`for reference, emulator / raw signing (1 thread): ${(emulator.rps / signingOneThread).toFixed(2)} (the load generator shares these ${threads} cores)`);
  flagFailures(targets.reduce((n, t) => n + (t.problem ? 1 : t.runs.reduce((m, r) => m + r.non2xx + r.errors + r.timeouts, 0)), 0), 'non-2xx responses, errors, or unusable token endpoints');

  const profile = ratios.some((r) => meetsTarget(r) === false) ? await profileEmulator(dataDir, tls.caPem) : undefined;
  await writeResult('emulator', {
    transport: 'https for both token endpoints (same local-CA leaf certificate)',
    load: { connections: CONNECTIONS, warmupSec: WARMUP_SEC, durationSec: DURATION_SEC, rounds: ROUNDS },
    signing: { threads, oneThreadPerSec: signingOneThread, allThreadsPerSec: signing },
    emulator: targets[0]?.runs ?? [],
    oidcProvider: targets[1]?.runs ?? [],
    skipped: targets.filter((t) => t.problem).map((t) => ({ name: t.name, problem: t.problem })),
    ratios,
    ...(profile ? { profile } : {}),
  });
  // The data folder holds only throwaway keys and databases, unless it now holds the profile too.
  if (!profile) await rm(dataDir, { recursive: true, force: true });
}

async function emulatorTarget(dataDir: string, execArgv: string[] = []): Promise<Target> {
  const server = await startServerProcess<EmulatorInfo>(new URL('./servers/emulator-server.ts', import.meta.url), { dataDir }, execArgv);
  const { url, devJson } = server.info;
  const tokenUrl = `${url.replace('//localhost:', '//127.0.0.1:')}/${devJson.tenantId}/oauth2/v2.0/token`;
  const web = devJson.apps.web;
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: web.clientId, client_secret: web.clientSecret, scope: 'https://graph.microsoft.com/.default' }).toString();
  return target('emulator', server, tokenUrl, form);
}

async function oidcProviderTarget(tls: { certPem: string; keyPem: string }): Promise<Target> {
  const entry = new URL('./servers/oidc-provider-server.ts', import.meta.url);
  const server = await startServerProcess<OidcProviderInfo>(entry, { tls: { certPem: tls.certPem, keyPem: tls.keyPem } });
  return target('node-oidc-provider', server, server.info.tokenUrl, server.info.form);
}

async function target(name: string, server: ServerProcess<unknown>, tokenUrl: string, form: string): Promise<Target> {
  const problem = await checkTokenEndpoint(tokenUrl, form);
  return { name, server, tokenUrl, form, runs: [], ...(problem ? { problem } : {}) };
}

/** Re-runs the emulator phase under --cpu-prof and prints where its main thread spends time, per token. */
async function profileEmulator(dataDir: string, caPem: string) {
  const profileDir = join(dataDir, 'cpu-profile');
  console.log(`\nA target was missed: profiling the emulator process (--cpu-prof, ${profileDir})`);
  const t = await emulatorTarget(dataDir, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const run = t.problem ? undefined : await loadTokenEndpoint(t.name, t.server.pid, t.tokenUrl, t.form, caPem);
  await t.server.stop();
  const summary = summarizeProfile(profileDir);
  const mainMs = run?.serverCpu?.mainMsPerReq ?? 0;
  const perToken = (h: HotSpot) => ({ '% of main-thread CPU': h.percent, 'µs/token': (h.percent / 100) * mainMs * 1000 });
  printTable(`Emulator main thread (${mainMs.toFixed(2)} ms CPU/token under the profiler): project functions, inclusive`, summary.inclusive.map((h) => ({ function: h.name, ...perToken(h) })));
  printTable('Emulator main thread: self time', summary.self.map((h) => ({ function: h.name, ...perToken(h) })));
  printNotes([
    `${summary.offCpuPercent.toFixed(0)}% of samples were idle or in jobPromise (waiting while the threadpool signs) and are left out.`,
    'RS256 signing itself runs on the libuv threadpool (the "pool" column above), not on this thread.',
  ]);
  return { tokensPerSecUnderProfiler: run?.rps, mainMsPerToken: mainMs, ...summary };
}

const blank = { 'p99 ms': '', non2xx: '', errors: '', 'CPU ms/token main': '', pool: '', 'load gen CPU %': '' };

function row(what: string, load: MeasuredLoad | undefined): Record<string, string | number> {
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
    'load gen CPU %': load.generatorCpuPercent ?? 'n/a',
  };
}
