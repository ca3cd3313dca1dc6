// Child process: drives simulated users through sign-in, profile, story and sign-out with fixed
// concurrency and reports counts, per-step latencies, failures and cross-user leaks.
import { trustCaCertificate } from '../../packages/entrakit/src/core/trust-ca.ts';
import { runJourney, STEPS, type JourneyTarget, type JourneyUser, type Step } from './journey.ts';

export interface JourneyBatch {
  target: JourneyTarget;
  users: JourneyUser[];
  /** Simulated users to run (user i takes users[i % users.length]). */
  count: number;
  concurrency: number;
  /** Journeys before measuring, so both stacks are warm (JIT, discovery, key caches). */
  warmup: number;
  caPem: string;
  /** The steps each user takes, in the usual order (sign-in always). */
  steps: Step[];
}

export interface JourneyBatchResult {
  /** Users whose whole journey succeeded. */
  ok: number;
  /** Sign-in steps that succeeded. */
  signIns: number;
  failed: number;
  /** `step: message` → count. */
  failures: Record<string, number>;
  leaks: string[];
  elapsedMs: number;
  latencyMs: Partial<Record<Step, { p50: number; p95: number; p99: number; max: number }>>;
}

process.once('disconnect', () => process.exit(0)); // done, or the parent died: stop either way
process.once('message', async (batch: JourneyBatch) => {
  trustCaCertificate(batch.caPem);
  const userAt = (i: number) => {
    const user = batch.users[i % batch.users.length];
    if (!user) throw new Error('no users to sign in');
    return user;
  };
  for (let i = 0; i < batch.warmup; i++) {
    const outcome = await runJourney(batch.target, userAt(batch.users.length - 1 - i), batch.steps);
    if (outcome.failure) throw new Error(`warm-up journey failed at ${outcome.failure.step}: ${outcome.failure.message}`);
  }
  process.send?.('measuring');

  const samples: Record<Step, number[]> = { 'sign-in': [], profile: [], story: [], 'sign-out': [] };
  const failures: Record<string, number> = {};
  const leaks: string[] = [];
  let ok = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: batch.concurrency }, async () => {
      while (next < batch.count) {
        const outcome = await runJourney(batch.target, userAt(next++), batch.steps);
        for (const step of STEPS) if (outcome.ms[step] !== undefined) samples[step].push(outcome.ms[step]);
        leaks.push(...outcome.leaks);
        if (outcome.failure) {
          const key = `${outcome.failure.step}: ${outcome.failure.message.slice(0, 200)}`;
          failures[key] = (failures[key] ?? 0) + 1;
        } else ok++;
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const latencyMs: JourneyBatchResult['latencyMs'] = {};
  for (const step of STEPS) {
    const sorted = samples[step].sort((a, b) => a - b);
    if (sorted.length === 0) continue;
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    latencyMs[step] = { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? 0 };
  }
  const result: JourneyBatchResult = { ok, signIns: samples['sign-in'].length, failed: batch.count - ok, failures, leaks, elapsedMs, latencyMs };
  process.send?.(result);
});
