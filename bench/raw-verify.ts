import type { JsonWebKey } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** RS256 signature checks per second of these tokens, summed over `threads` worker threads, each verifying flat out. */
export async function rawVerifyRate(jwks: JsonWebKey[], tokens: string[], threads: number, durationMs: number, warmupMs = 500): Promise<number> {
  return (await rawVerify(jwks, tokens, threads, durationMs, warmupMs)).perSecond;
}

/** The rate, and the thread CPU microseconds one verify costs (where Node reports thread CPU). */
export async function rawVerify(jwks: JsonWebKey[], tokens: string[], threads: number, durationMs: number, warmupMs = 500): Promise<{ perSecond: number; cpuMicrosPerVerify?: number }> {
  const workerData = { jwks, tokens, warmupMs, durationMs };
  const results = await Promise.all(
    Array.from({ length: threads }, () => {
      const worker = new Worker(new URL('./lib/verify-worker.ts', import.meta.url), { workerData });
      return new Promise<{ count: number; elapsedMs: number; cpuMicros?: number }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    }),
  );
  const perSecond = results.reduce((sum, r) => sum + (r.count * 1000) / r.elapsedMs, 0);
  const cpu = results.reduce((sum, r) => sum + (r.cpuMicros ?? NaN), 0);
  const count = results.reduce((sum, r) => sum + r.count, 0);
  return Number.isFinite(cpu) ? { perSecond, cpuMicrosPerVerify: cpu / count } : { perSecond };
}
