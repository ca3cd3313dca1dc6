import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU milliseconds each kind of thread of a process has used so far (Linux /proc), or undefined. */
export function cpuByThread(pid: number): Record<'main' | 'threadpool' | 'other', number> | undefined {
  const totals = { main: 0, threadpool: 0, other: 0 };
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
      const kind = tid === String(pid) ? 'main' : name.startsWith('libuv-worker') ? 'threadpool' : 'other';
      totals[kind] += ms;
    }
  } catch {
    return undefined;
  }
  return totals;
}

/** All CPU milliseconds a process has used so far, or undefined (not Linux, or it has exited). */
export function processCpuMs(pid: number): number | undefined {
  const byThread = cpuByThread(pid);
  return byThread ? byThread.main + byThread.threadpool + byThread.other : undefined;
}
