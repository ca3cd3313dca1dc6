import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  /** Share of the main thread's on-CPU samples. */
  percent: number;
}

/**
 * Samples not spent computing: idle, and `jobPromise`, where the main thread has just handed a
 * WebCrypto job to the threadpool and (on few cores) waits for the woken signing thread to yield.
 */
const OFF_CPU = new Set(['(idle)', 'jobPromise']);

/**
 * Self and inclusive time of the newest .cpuprofile in `dir`, as shares of its on-CPU samples.
 * Inclusive time counts project functions (`/src/`) and those named in `alsoInclusive`.
 */
export function summarizeProfile(dir: string, top = 15, alsoInclusive: RegExp = /$^/): { file: string; self: HotSpot[]; inclusive: HotSpot[]; offCpuPercent: number } {
  const file = join(dir, readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1) ?? '');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let onCpu = 0;
  let offCpu = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const leaf = nodes.get(id);
    if (!leaf || OFF_CPU.has(leaf.callFrame.functionName)) return void (offCpu += us);
    onCpu += us;
    add(self, label(leaf), us);
    const seen = new Set<string>();
    for (let node: ProfileNode | undefined = leaf; node; node = nodes.get(parent.get(node.id) ?? -1)) {
      const name = label(node);
      if (!seen.has(name) && (node.callFrame.url.includes('/src/') || alsoInclusive.test(name))) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      seen.add(name);
    }
  });
  const rank = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, percent: (100 * us) / (onCpu || 1) }));
  return { file, self: rank(self), inclusive: rank(inclusive), offCpuPercent: (100 * offCpu) / (onCpu + offCpu || 1) };
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

/** `name file:line`, with `node_modules/` and the checkout prefix dropped. */
function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  const where = nm >= 0 ? path.slice(nm + 'node_modules/'.length) : path.startsWith('/') ? relative(process.cwd(), path) : path;
  return `${functionName || '(anonymous)'}${where ? ` ${where}:${lineNumber + 1}` : ''}`;
}
