// Child process: runs a bounded batch of sign-ins with fixed concurrency and reports counts and latencies.
import type { DevJson } from '../../packages/emulator/src/dev-json.ts';
import { trustCaCertificate } from '../../packages/entrakit/src/core/trust-ca.ts';
import { signInDirect, signInViaWebApp } from './sign-in.ts';

export interface SignInBatch {
  mode: 'direct' | 'web';
  count: number;
  concurrency: number;
  caPem: string;
  devJson: DevJson;
  webUrl?: string;
}

export interface SignInBatchResult {
  ok: number;
  failed: number;
  /** Distinct failure messages with counts (no tokens or secrets in them). */
  failures: Record<string, number>;
  elapsedMs: number;
  latencyMs: { p50: number; p99: number; max: number };
}

process.once('disconnect', () => process.exit(0)); // done, or the parent died: stop either way
process.once('message', async (batch: SignInBatch) => {
  trustCaCertificate(batch.caPem);
  const { devJson } = batch;
  const once = (i: number) => {
    const user = devJson.users[i % devJson.users.length];
    if (!user) throw new Error('dev.json lists no users');
    if (batch.mode === 'web') return signInViaWebApp(batch.webUrl ?? '', user);
    const app = devJson.apps.web;
    const request = { authority: devJson.authority, clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: app.redirectUri };
    return signInDirect({ ...request, scope: 'openid profile offline_access User.Read', ...user });
  };
  for (let i = 0; i < devJson.users.length; i++) await once(i); // warm-up: one each, must succeed
  process.send?.('measuring');

  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: batch.concurrency }, async () => {
      while (next < batch.count) {
        const i = next++;
        const t = performance.now();
        try {
          await once(i);
          latencies.push(performance.now() - t);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          failures[message] = (failures[message] ?? 0) + 1;
        }
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const result: SignInBatchResult = {
    ok: latencies.length,
    failed: batch.count - latencies.length,
    failures,
    elapsedMs,
    latencyMs: { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0 },
  };
  process.send?.(result);
});
