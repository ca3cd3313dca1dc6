import { fork } from 'node:child_process';

export interface LoadPhase {
  name: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Trusted CA for HTTPS targets. */
  caPem?: string;
  connections: number;
  warmupSec: number;
  durationSec: number;
}

export interface LoadResult {
  name: string;
  connections: number;
  durationSec: number;
  /** 2xx responses; only these count towards `rps`. */
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  rps: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/**
 * Runs one bounded load phase in a fresh child process and returns its summary. `onMeasuring`
 * runs when the warm-up is over and again when the measured part ends.
 */
export function runLoad(phase: LoadPhase, onMeasuring: (edge: 'start' | 'end') => void = () => {}): Promise<LoadResult> {
  const child = fork(new URL('./load-child.ts', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let result: LoadResult | undefined;
    child.on('message', (message) => {
      if (message === 'measuring') return onMeasuring('start');
      onMeasuring('end');
      result = message as LoadResult;
    });
    child.once('error', reject);
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`load generator exited with ${code}`))));
    child.send(phase);
  });
}
