// Worker thread: verifies RS256 JWT signatures (node:crypto) over the given tokens in turn, for a fixed time.
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const { jwks, tokens, warmupMs, durationMs } = workerData as { jwks: Array<JsonWebKey & { kid?: string }>; tokens: string[]; warmupMs: number; durationMs: number };
const keys = new Map(jwks.map((k) => [k.kid, createPublicKey({ key: k, format: 'jwk' })]));
// Split once up front: the loop measures the signature check alone, as the floor of any verifier.
const inputs = tokens.map((token) => {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid?: string };
  const key = keys.get(kid);
  if (!key) throw new Error(`no JWKS key for kid ${kid}`);
  return { data: Buffer.from(`${header}.${payload}`), signature: Buffer.from(signature, 'base64url'), key };
});

function verifyFor(ms: number): number {
  const end = performance.now() + ms;
  let count = 0;
  while (performance.now() < end) {
    const input = inputs[count % inputs.length];
    if (!input || !verify('sha256', input.data, input.key, input.signature)) throw new Error('a token signature did not verify');
    count++;
  }
  return count;
}

verifyFor(warmupMs);
// This thread's own CPU time, so other work on the machine does not inflate the cost per verify.
const threadCpu = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
const cpuBefore = threadCpu?.();
const started = performance.now();
const count = verifyFor(durationMs);
const cpuAfter = threadCpu?.();
const cpuMicros = cpuBefore && cpuAfter ? cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system : undefined;
parentPort?.postMessage({ count, elapsedMs: performance.now() - started, cpuMicros });
