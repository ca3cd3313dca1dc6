import { runLoad, type LoadPhase, type LoadResult } from './load.ts';
import { cpuByThread } from './proc-cpu.ts';

/** CPU milliseconds per request a server process spent, split by thread kind (Linux /proc only). */
export interface ServerCpu {
  mainMsPerReq: number;
  /** libuv threadpool: WebCrypto signing and other async crypto run here. */
  threadpoolMsPerReq: number;
  otherMsPerReq: number;
}

export type MeasuredLoad = LoadResult & { serverCpu?: ServerCpu };

/** A load phase against the server running as `pid`, with that process's CPU cost per request. */
export async function loadWithServerCpu(pid: number, phase: LoadPhase): Promise<MeasuredLoad> {
  let start: ReturnType<typeof cpuByThread>;
  let end: ReturnType<typeof cpuByThread>;
  const result = await runLoad(phase, (edge) => (edge === 'start' ? (start = cpuByThread(pid)) : (end = cpuByThread(pid))));
  const requests = result.ok + result.non2xx;
  if (!start || !end || requests === 0) return result;
  const per = (kind: 'main' | 'threadpool' | 'other') => ((end?.[kind] ?? 0) - (start?.[kind] ?? 0)) / requests;
  return { ...result, serverCpu: { mainMsPerReq: per('main'), threadpoolMsPerReq: per('threadpool'), otherMsPerReq: per('other') } };
}

/** Total server CPU ms per request, all threads. */
export function cpuPerRequest(load: MeasuredLoad | undefined): number | undefined {
  const cpu = load?.serverCpu;
  return cpu ? cpu.mainMsPerReq + cpu.threadpoolMsPerReq + cpu.otherMsPerReq : undefined;
}

/**
 * The same comparison by server CPU per request (b's cost / a's cost), for spreading into a Ratio:
 * other work on the machine barely moves it, unlike requests per second. Empty off Linux.
 */
export function byCpu(a: MeasuredLoad | undefined, b: MeasuredLoad | undefined): { byCpu?: number } {
  const [ca, cb] = [cpuPerRequest(a), cpuPerRequest(b)];
  return ca && cb ? { byCpu: cb / ca } : {};
}
