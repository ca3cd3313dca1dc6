// Worker thread: signs a JWT-sized input with RS256 (node:crypto) for a fixed time and reports the count.
import { createPrivateKey, sign } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const { keyPem, signingInput, warmupMs, durationMs } = workerData as { keyPem: string; signingInput: string; warmupMs: number; durationMs: number };
const key = createPrivateKey(keyPem);
const data = Buffer.from(signingInput);

function signFor(ms: number): number {
  const end = performance.now() + ms;
  let count = 0;
  while (performance.now() < end) {
    sign('sha256', data, key);
    count++;
  }
  return count;
}

signFor(warmupMs);
const started = performance.now();
const count = signFor(durationMs);
parentPort?.postMessage({ count, elapsedMs: performance.now() - started });
