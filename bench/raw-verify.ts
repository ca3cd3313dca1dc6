import type { JsonWebKey } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** RS256 signature checks per second of these tokens, summed over `threads` worker threads, each verifying flat out. */
export async function rawVerifyRate(jwks: JsonWebKey[], tokens: string[], threads: number, durationMs: number, warmupMs = 500): Promise<number> {
  const workerData = { jwks, tokens, warmupMs, durationMs };
  const results = await Promise.all(
    Array.from({ length: threads }, () => {
      const worker = new Worker(new URL('./lib/verify-worker.ts', import.meta.url), { workerData });
      return new Promise<{ count: number; elapsedMs: number }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    }),
  );
  return results.reduce((sum, r) => sum + (r.count * 1000) / r.elapsedMs, 0);
}
