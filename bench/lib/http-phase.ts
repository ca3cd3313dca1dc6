import { loadWithServerCpu, type MeasuredLoad } from './server-cpu.ts';

export const HTTP_CONNECTIONS = 10;
export const HTTP_WARMUP_SEC = 2;
export const HTTP_DURATION_SEC = 6;

/**
 * GETs `url` once (must be 200) and then under load; `pid` is the server process. With
 * `authorizations`, each request under load takes the next one as its Authorization header; with
 * `overallRate`, requests are sent at that fixed rate instead of as fast as they are answered.
 */
export async function measureGet(name: string, pid: number, url: string, headers: Record<string, string> = {}, authorizations?: string[], overallRate?: number, timing: { warmupSec: number; durationSec: number } = { warmupSec: HTTP_WARMUP_SEC, durationSec: HTTP_DURATION_SEC }): Promise<MeasuredLoad> {
  const sample = await fetch(url, { headers });
  const body = await sample.text();
  if (sample.status !== 200) throw new Error(`${name}: sample request got HTTP ${sample.status} ${body.slice(0, 200)}`);
  return loadWithServerCpu(pid, { name, url, headers, ...(authorizations ? { authorizations } : {}), ...(overallRate ? { overallRate } : {}), connections: HTTP_CONNECTIONS, ...timing });
}
