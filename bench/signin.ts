import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInChild } from './lib/load.ts';
import { flagFailures, printNotes, printTable, warnIfBusy, writeResult } from './lib/report.ts';
import { cpuByThread } from './lib/proc-cpu.ts';
import { startServerProcess } from './lib/server-process.ts';
import type { SignInBatch, SignInBatchResult } from './lib/sign-in-child.ts';
import type { EmulatorInfo } from './servers/emulator-server.ts';

const COUNT = 200;
const CONCURRENCY = 8;
/** CPU ms per sign-in by process and thread kind (Linux only). */
type CpuPerSignIn = Record<string, { main: number; threadpool: number; other: number }>;
type Measured = SignInBatchResult & { name: string; cpuMsPerSignIn: CpuPerSignIn };

/** `npm run bench -- signin`: complete browser-free sign-ins per second, with zero failures required. */
export async function signinBench(): Promise<void> {
  warnIfBusy();
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-bench-signin-'));
  const emulator = await startServerProcess<EmulatorInfo>(new URL('./servers/emulator-server.ts', import.meta.url), { dataDir });
  const results: Measured[] = [];
  try {
    const batch = { count: COUNT, concurrency: CONCURRENCY, caPem: emulator.info.caPem, devJson: emulator.info.devJson };
    console.log(`${COUNT} sign-ins, ${CONCURRENCY} at a time: our PKCE client against the emulator (authorize, login form, code redemption)`);
    results.push(await runBatch('emulator: authorize + login + token (PKCE)', { emulator: emulator.pid }, { ...batch, mode: 'direct' }));
    console.log(`${COUNT} sign-ins, ${CONCURRENCY} at a time: through the web app (sign-in, emulator login, callback + redemption, session page)`);
    const web = await startServerProcess<{ url: string }>(new URL('./servers/web-server.ts', import.meta.url), { dataDir });
    try {
      const pids = { emulator: emulator.pid, 'web app': web.pid };
      results.push(await runBatch('web app: sign-in → login → callback → session', pids, { ...batch, mode: 'web', webUrl: web.info.url }));
    } finally {
      await web.stop();
    }
  } finally {
    await emulator.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  printTable(`Complete sign-ins (${COUNT} per row, ${CONCURRENCY} concurrent, new browser and password each time)`, results.map((r) => ({
    flow: r.name,
    'sign-ins/s': (r.ok * 1000) / r.elapsedMs,
    ok: r.ok,
    failed: r.failed,
    'p50 ms': r.latencyMs.p50,
    'p99 ms': r.latencyMs.p99,
    'CPU ms/sign-in (main + threadpool)': Object.entries(r.cpuMsPerSignIn)
      .map(([process, cpu]) => `${process} ${cpu.main.toFixed(1)} + ${cpu.threadpool.toFixed(1)}`)
      .join(', '),
  })));
  const failures = results.flatMap((r) => Object.entries(r.failures).map(([message, n]) => `${r.name}: ${n} x ${message}`));
  printNotes(failures.length > 0 ? failures : ['zero failures']);
  flagFailures(results.reduce((n, r) => n + r.failed, 0), 'sign-ins (zero failures required)');
  await writeResult('signin', { count: COUNT, concurrency: CONCURRENCY, results });
}

async function runBatch(name: string, pids: Record<string, number>, batch: SignInBatch): Promise<Measured> {
  const snapshot = () => Object.fromEntries(Object.entries(pids).map(([label, pid]) => [label, cpuByThread(pid)]));
  let start: ReturnType<typeof snapshot> = {};
  let end: ReturnType<typeof snapshot> = {};
  const result = await runInChild<SignInBatchResult>(new URL('./lib/sign-in-child.ts', import.meta.url), batch, (edge) =>
    edge === 'start' ? (start = snapshot()) : (end = snapshot()),
  );
  const cpuMsPerSignIn: CpuPerSignIn = {};
  for (const label of Object.keys(pids)) {
    const [a, b] = [start[label], end[label]];
    if (a && b) cpuMsPerSignIn[label] = { main: (b.main - a.main) / batch.count, threadpool: (b.threadpool - a.threadpool) / batch.count, other: (b.other - a.other) / batch.count };
  }
  return { name, ...result, cpuMsPerSignIn };
}
