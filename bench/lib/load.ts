import { fork } from 'node:child_process';
import { processCpuMs } from './proc-cpu.ts';

export interface LoadPhase {
  name: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /**
   * Sent in turn as the Authorization header, one per request (after `headers`), so a server
   * that caches verified tokens sees each one again only after all the others.
   */
  authorizations?: string[];
  /** Requests per second for all connections together; unset: as fast as the server answers. */
  overallRate?: number;
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
  /** CPU use of the load generator while measuring (100 = one full core): near 100, it is the bottleneck. */
  generatorCpuPercent?: number;
}

/**
 * Runs one bounded load phase in a fresh child process and returns its summary. `onMeasuring`
 * runs when the warm-up is over and again when the measured part ends.
 */
export async function runLoad(phase: LoadPhase, onMeasuring?: (edge: 'start' | 'end') => void): Promise<LoadResult> {
  let before: number | undefined;
  let after: number | undefined;
  const result = await runInChild<LoadResult>(new URL('./load-child.ts', import.meta.url), phase, (edge, pid) => {
    if (edge === 'start') before = processCpuMs(pid);
    else after = processCpuMs(pid);
    onMeasuring?.(edge);
  });
  if (before === undefined || after === undefined) return result;
  return { ...result, generatorCpuPercent: ((after - before) / (result.durationSec * 1000)) * 100 };
}

/**
 * Forks `entry`, sends it `input`, and resolves with the result it sends back. The child may send
 * 'measuring' first, when its warm-up is over.
 */
export function runInChild<Result>(entry: URL, input: object, onMeasuring: (edge: 'start' | 'end', pid: number) => void = () => {}): Promise<Result> {
  const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pid = child.pid ?? 0;
  return new Promise((resolve, reject) => {
    let result: Result | undefined;
    child.on('message', (message) => {
      if (message === 'measuring') return onMeasuring('start', pid);
      onMeasuring('end', pid);
      result = message as Result;
      child.disconnect(); // the child exits on disconnect, so it is still there for the 'end' reading
    });
    child.once('error', reject);
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`${entry.pathname} exited with ${code} before reporting`))));
    child.send(input);
  });
}

/** Phases run this many times, interleaved, so a burst of other work on the machine hits all of them alike. */
export const ROUNDS = 2;

/** The fastest of several runs of one phase: interference only ever slows a run down. */
export function best<T extends { rps: number }>(runs: T[]): T | undefined {
  return runs.reduce<T | undefined>((top, run) => (top && top.rps >= run.rps ? top : run), undefined);
}
