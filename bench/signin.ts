import { scrypt as scryptCb } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startStorage } from '../apps/storage/start-storage.ts';
import { demoStory } from '../apps/storage/seed-stories.ts';
import { ensureLocalTls } from '../packages/emulator/src/tls/local-ca.ts';
import { trustCaCertificate } from '../packages/entrakit/src/core/trust-ca.ts';
import { summarizeProfile } from './lib/cpu-profile.ts';
import type { JourneyBatch, JourneyBatchResult } from './lib/journey-child.ts';
import { STEPS, type JourneyTarget, type Step } from './lib/journey.ts';
import { runInChild } from './lib/load.ts';
import { cpuByThread } from './lib/proc-cpu.ts';
import { flagFailures, printNotes, printRatios, printTable, warnIfBusy, writeResult, type Ratio } from './lib/report.ts';
import { startServerProcess, type ServerProcess } from './lib/server-process.ts';
import type { EmulatorInfo } from './servers/emulator-server.ts';
import type { PeerProviderInfo } from './servers/peer-provider-server.ts';

const WARMUP = 4;
/** The library comparison's steps: sign-in, a page of the ID token's claims, sign-out. */
const LIBRARY_STEPS: Step[] = ['sign-in', 'profile', 'sign-out'];
const TARGET = 1.5;
type Cpu = { main: number; threadpool: number; other: number };
type Measured = JourneyBatchResult & { stack: JourneyTarget['stack']; concurrency: number; cpuMsPerUser: Record<string, Cpu> };

/**
 * `npm run bench -- signin [--users 200] [--concurrency 8,50] [--steps sign-in,profile,story,sign-out]
 * [--web-store memory:] [--profile] [--only library]`: simulated users, each
 * in a new cookie jar, through sign-in (password typed), profile, story and sign-out, against the
 * dev stack (emulator, Azurite, API, web app) and the peer stack (node-oidc-provider +
 * express-openid-connect) in the same run. Zero errors and zero cross-user leaks are required.
 */
export async function signinBench(argv: string[] = []): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { users: { type: 'string' }, concurrency: { type: 'string' }, steps: { type: 'string' }, 'web-store': { type: 'string' }, profile: { type: 'boolean' }, only: { type: 'string' } } });
  // --only library: just the sign-in library comparison (quicker, e.g. with --profile).
  if (values.only !== undefined && values.only !== 'library') throw new Error('--only takes "library"');
  const onlyLibrary = values.only === 'library';
  const count = Number(values.users ?? 200);
  const levels = (values.concurrency ?? '8,50').split(',').map(Number);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new Error('--users must be an integer from 1 to 1000');
  if (levels.some((c) => !Number.isInteger(c) || c < 1 || c > 200)) throw new Error('--concurrency must list integers from 1 to 200, e.g. 8,50');
  const steps = (values.steps ?? STEPS.join(',')).split(',') as Step[];
  if (!steps.includes('sign-in') || steps.some((s) => !STEPS.includes(s))) throw new Error(`--steps must list some of ${STEPS.join(',')}, sign-in included`);
  const webStore = values['web-store']; // e.g. memory: (the dev stack's default is SQLite in the data folder)
  const profileDir = values.profile ? await mkdtemp(join(tmpdir(), 'entrakit-bench-signin-profile-')) : undefined;
  const profiled = (name: string) => (profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : []);

  warnIfBusy();
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-bench-signin-'));
  const running: Array<{ stop(): Promise<void> }> = [];
  const start = async <Info>(name: string, input: object, execArgv: string[] = [], listener?: Server): Promise<ServerProcess<Info>> => {
    const server = await startServerProcess<Info>(new URL(`./servers/${name}.ts`, import.meta.url), input, execArgv, listener);
    running.push(server);
    return server;
  };
  const results: Measured[] = [];
  const libraryResults: Measured[] = [];
  try {
    console.log(`starting the dev stack (emulator with ${count} extra users, Azurite, API, web app) and the peer stack`);
    const emulator = await start<EmulatorInfo>('emulator-server', { dataDir, benchUsers: count }, profiled('emulator'));
    const { caPem, benchUsers } = emulator.info;
    trustCaCertificate(caPem);
    const rp = { authorityHost: emulator.info.url, tenantId: emulator.info.devJson.tenantId, clientId: emulator.info.devJson.apps.web.clientId, clientSecret: emulator.info.devJson.apps.web.clientSecret, caPem };
    const libraryWeb = await start<{ url: string }>('library-web-server', rp, profiled('library'));
    const eocWeb = await start<{ url: string }>('eoc-web-server', rp, profiled('eoc'));
    const library = {
      library: { target: { stack: 'library', webUrl: libraryWeb.info.url, registeredOrigin: 'http://localhost:5000' } as JourneyTarget, pids: { 'entrakit/web app': libraryWeb.pid } },
      eoc: { target: { stack: 'eoc', webUrl: eocWeb.info.url, registeredOrigin: 'http://localhost:5000' } as JourneyTarget, pids: { 'express-openid-connect app': eocWeb.pid } },
    };
    const users = benchUsers.map(({ username, password, displayName }) => ({ username, password, displayName }));
    if (!onlyLibrary) await devStackVsPeer();
    async function devStackVsPeer(): Promise<void> {
      const tls = await ensureLocalTls(dataDir); // the emulator's own certificate and CA
      const storage = await startStorage({ dataDir, tls, users: benchUsers.map((u) => ({ oid: u.oid, displayName: u.displayName })), port: 0 });
      running.push({ stop: () => storage.close() });
      const azuritePid = childPidMatching(/azurite/);
      await start('api-server', { dataDir });
      const api = running.at(-1) as ServerProcess<{ url: string }>;
      const web = await start<{ url: string }>('web-server', { dataDir, ...(webStore ? { storeUrl: webStore } : {}) }, profiled('web'));

      // The peer app's port is bound here and handed to its process, so the provider can register its URL first.
      const rpListener = await boundListener();
      const rpPort = (rpListener.address() as AddressInfo).port;
      const provider = await start<PeerProviderInfo>('peer-provider-server', { tls: { certPem: tls.certPem, keyPem: tls.keyPem }, users: benchUsers, rpUrl: `http://127.0.0.1:${rpPort}` }).catch((error: unknown) => {
        rpListener.close();
        throw error;
      });
      const stories = Object.fromEntries(benchUsers.map((u) => [u.oid, demoStory(u)]));
      const peerWeb = await start<{ url: string }>('peer-web-server', { ...provider.info, caPem, port: rpPort, stories }, [], rpListener);

      const stacks = {
        entrakit: {
          target: { stack: 'entrakit', webUrl: web.info.url, registeredOrigin: 'http://localhost:5000' } as JourneyTarget,
          pids: { emulator: emulator.pid, 'web app': web.pid, api: api.pid, ...(azuritePid ? { azurite: azuritePid } : {}) },
        },
        peer: { target: { stack: 'peer', webUrl: peerWeb.info.url } as JourneyTarget, pids: { 'oidc-provider': provider.pid, 'express-openid-connect app': peerWeb.pid } },
      };
      for (const concurrency of levels) {
        for (const stack of ['entrakit', 'peer'] as const) {
          console.log(`${count} users, ${concurrency} at a time: ${stack === 'entrakit' ? 'dev stack (web app, emulator, API, Azurite)' : 'peer (express-openid-connect, node-oidc-provider)'}`);
          const { target, pids } = stacks[stack];
          const batch: JourneyBatch = { target, users, count, concurrency, warmup: WARMUP, caPem, steps };
          results.push({ stack, concurrency, ...(await runBatch(pids, batch)) });
        }
      }
    }
    const librarySteps = LIBRARY_STEPS.filter((step) => steps.includes(step));
    for (const concurrency of levels) {
      for (const stack of ['library', 'eoc'] as const) {
        console.log(`${count} users, ${concurrency} at a time: ${stack === 'library' ? 'Express example on entrakit/web' : 'Express + express-openid-connect'} (emulator)`);
        const { target, pids } = library[stack];
        const batch: JourneyBatch = { target, users, count, concurrency, warmup: WARMUP, caPem, steps: librarySteps };
        libraryResults.push({ stack, concurrency, ...(await runBatch(pids, batch)) });
      }
    }
  } finally {
    for (const part of running.reverse()) await part.stop();
    await rm(dataDir, { recursive: true, force: true });
  }

  if (!onlyLibrary) report(count, results, steps);
  const scryptMs = await scryptCost();
  printNotes([`one scrypt password check (N=4096, as the emulator and the peer provider use) takes ${scryptMs.toFixed(1)} ms of CPU here`]);
  const ratios: Ratio[] = levels.map((concurrency) => {
    const ours = results.find((r) => r.stack === 'entrakit' && r.concurrency === concurrency);
    const peer = results.find((r) => r.stack === 'peer' && r.concurrency === concurrency);
    const cpu = (r: Measured | undefined) => Object.values(r?.cpuMsPerUser ?? {}).reduce((n, c) => n + c.main + c.threadpool + c.other, 0);
    const byCpu = cpu(ours) > 0 && cpu(peer) > 0 ? { byCpu: cpu(peer) / cpu(ours) } : {};
    return { name: `sign-ins/s, dev stack / peer, ${concurrency} concurrent`, value: rate(ours) / (rate(peer) || 1), target: TARGET, targetOn: 'rps', ...byCpu };
  });
  if (!onlyLibrary) printRatios(ratios);
  if (!onlyLibrary) printNotes(['"by server CPU/request" here: CPU per simulated user of all the peer\'s processes / all the dev stack\'s (the load driver excluded).']);
  if (!onlyLibrary && ratios.some((r) => r.value < TARGET) && !profileDir) printNotes(['Below target: run again with --profile for CPU profiles of the emulator and the web app.']);
  const profiles = profileDir ? printProfiles(profileDir, [...results, ...libraryResults], onlyLibrary ? ['emulator', 'library', 'eoc'] : ['emulator', 'web', 'library', 'eoc']) : undefined;

  reportLibrary(count, levels, libraryResults);

  const all = [...results, ...libraryResults];
  const leaks = all.flatMap((r) => r.leaks.map((l) => `${r.stack} @${r.concurrency}: ${l}`));
  const failures = all.flatMap((r) => Object.entries(r.failures).map(([message, n]) => `${r.stack} @${r.concurrency}: ${n} x ${message}`));
  printNotes([leaks.length === 0 ? 'cross-user check: no user ever saw another user\'s name' : `CROSS-USER LEAKS: ${leaks.length}`, ...leaks.slice(0, 20), ...(failures.length > 0 ? failures : ['zero errors'])]);
  flagFailures(all.reduce((n, r) => n + r.failed, 0), 'journeys failed (zero errors required)');
  flagFailures(leaks.length, 'pages showed another user\'s data (zero required)');
  await writeResult('signin', { users: count, concurrency: levels, steps, webStore: webStore ?? 'sqlite (default)', warmup: WARMUP, results, libraryResults, ratios, scryptMs, ...(profiles ? { profiles } : {}) });
  if (profileDir) console.log(`CPU profiles kept in ${profileDir}`);
}

/** Express example on entrakit/web vs Express + express-openid-connect: rate, and the web app process's CPU per user. */
function reportLibrary(count: number, levels: number[], rows: Measured[]): void {
  const cpu = (r: Measured | undefined) => Object.values(r?.cpuMsPerUser ?? {}).reduce((n, c) => n + c.main + c.threadpool + c.other, 0);
  printTable(`Sign-in libraries on the same emulator (${count} users per row, each a new cookie jar): sign-in, ID token claims page, sign-out`, rows.map((r) => ({
    app: r.stack === 'library' ? 'Express + entrakit/web' : 'Express + express-openid-connect',
    concurrent: r.concurrency,
    'sign-ins/s': rate(r),
    'server CPU ms/user': cpu(r),
    ok: r.ok,
    errors: r.failed,
    leaks: r.leaks.length,
  })));
  printRatios(levels.map((concurrency) => {
    const ours = rows.find((r) => r.stack === 'library' && r.concurrency === concurrency);
    const peer = rows.find((r) => r.stack === 'eoc' && r.concurrency === concurrency);
    const byCpu = cpu(ours) > 0 && cpu(peer) > 0 ? { byCpu: cpu(peer) / cpu(ours) } : {};
    return { name: `library sign-in / express-openid-connect, ${concurrency} concurrent`, value: rate(ours) / (rate(peer) || 1), target: TARGET, targetOn: 'cpu', ...byCpu };
  }));
  printNotes(['"by server CPU" here: CPU per simulated user of the express-openid-connect app process / the entrakit/web app process (the emulator is the same for both and excluded).']);
}

/** Completed sign-ins per second of the run (each simulated user signs in once, then goes on). */
function rate(r: Measured | undefined): number {
  return r ? (r.signIns * 1000) / r.elapsedMs : 0;
}

async function runBatch(pids: Record<string, number>, batch: JourneyBatch): Promise<Omit<Measured, 'stack' | 'concurrency'>> {
  const snapshot = () => Object.fromEntries(Object.entries(pids).map(([label, pid]) => [label, cpuByThread(pid)]));
  let start: ReturnType<typeof snapshot> = {};
  let end: ReturnType<typeof snapshot> = {};
  const result = await runInChild<JourneyBatchResult>(new URL('./lib/journey-child.ts', import.meta.url), batch, (edge) => (edge === 'start' ? (start = snapshot()) : (end = snapshot())));
  const cpuMsPerUser: Record<string, Cpu> = {};
  for (const label of Object.keys(pids)) {
    const [a, b] = [start[label], end[label]];
    if (a && b) cpuMsPerUser[label] = { main: (b.main - a.main) / batch.count, threadpool: (b.threadpool - a.threadpool) / batch.count, other: (b.other - a.other) / batch.count };
  }
  return { ...result, cpuMsPerUser };
}

function report(count: number, results: Measured[], steps: Step[]): void {
  printTable(`Simulated users (${count} per row, each a new cookie jar): ${steps.join(', ')} (sign-in with the password)`, results.map((r) => ({
    stack: r.stack === 'entrakit' ? 'dev stack (entrakit)' : 'peer (oidc-provider + express-openid-connect)',
    concurrent: r.concurrency,
    'sign-ins/s': rate(r),
    ok: r.ok,
    errors: r.failed,
    leaks: r.leaks.length,
    seconds: r.elapsedMs / 1000,
  })));
  printTable('Per step, ms (p50 / p95 / p99)', results.map((r) => ({
    stack: r.stack === 'entrakit' ? 'dev stack (entrakit)' : 'peer',
    concurrent: r.concurrency,
    ...Object.fromEntries(steps.map((step) => {
      const l = r.latencyMs[step];
      return [step, l ? `${l.p50.toFixed(0)} / ${l.p95.toFixed(0)} / ${l.p99.toFixed(0)}` : 'n/a'];
    })),
  })));
  printTable('CPU ms per simulated user, by process: main thread + libuv threadpool (+ other threads)', results.map((r) => ({
    stack: r.stack === 'entrakit' ? 'dev stack (entrakit)' : 'peer',
    concurrent: r.concurrency,
    processes: Object.entries(r.cpuMsPerUser).map(([name, c]) => `${name} ${c.main.toFixed(1)} + ${c.threadpool.toFixed(1)}${c.other >= 0.5 ? ` + ${c.other.toFixed(1)}` : ''}`).join(', '),
    total: Object.values(r.cpuMsPerUser).reduce((n, c) => n + c.main + c.threadpool + c.other, 0),
  })));
}

/** Main-thread hot spots of the profiled processes, in ms per simulated user over the whole run. */
function printProfiles(profileDir: string, results: Measured[], names: string[]) {
  // Users measured per stack (the emulator and the dev stack's web app count the dev stack's; each library app its own).
  const usersOf = (stack: string) => results.filter((r) => r.stack === stack).reduce((n, r) => n + r.signIns, 0);
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const summary = summarizeProfile(join(profileDir, name), 25, /hono|msal|@azure/i);
    out[name] = summary;
    printNotes([`${name}: ${summary.file} (${summary.offCpuPercent.toFixed(0)}% of samples idle)`]);
    const users = name === 'library' || name === 'eoc' ? usersOf(name) : usersOf('entrakit') + usersOf('library') + usersOf('eoc');
    printTable(`${name} main thread, self time (share of on-CPU samples, whole run incl. warm-up; ${users} measured users)`, summary.self.map((h) => ({ function: h.name, '%': h.percent })));
    printTable(`${name} main thread, inclusive (project code, Hono, MSAL)`, summary.inclusive.map((h) => ({ function: h.name, '%': h.percent })));
  }
  return out;
}

/** CPU milliseconds (this process, all threads) of one scrypt N=4096 password check, averaged over a few. */
async function scryptCost(): Promise<number> {
  const scrypt = promisify(scryptCb) as (password: string, salt: string, keylen: number, options: { N: number }) => Promise<Buffer>;
  const rounds = 10;
  const before = process.cpuUsage();
  for (let i = 0; i < rounds; i++) await scrypt('Bench-password-0000!', 'salt-salt-salt-s', 32, { N: 4096 });
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / rounds;
}

/** A loopback listener on port 0, for a server that must know its own URL before the provider that redirects to it starts. */
async function boundListener(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

/** The pid of a child of this process whose command line matches (Azurite runs as one), if any. */
function childPidMatching(pattern: RegExp): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && pattern.test(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) return Number(entry);
    }
  } catch {
    return undefined;
  }
  return undefined;
}
