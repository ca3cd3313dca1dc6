import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Ratio {
  name: string;
  value: number;
  /** Absent for a ratio shown for reference only. */
  target?: number;
  /** The same ratio from server CPU per request, which load from other work barely moves. */
  byCpu?: number;
  /** Which of the two the target is for: the rate (requests or sign-ins per second, default) or server CPU per request. */
  targetOn?: 'rps' | 'cpu';
}

export function machine() {
  const [load1 = 0] = loadavg();
  return { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: process.platform, loadavg1m: load1 };
}

/** Other work on the machine skews every number; say so up front rather than hide it. */
export function warnIfBusy(): void {
  const { loadavg1m, cores } = machine();
  if (loadavg1m > 0.5) console.log(`note: load average ${loadavg1m.toFixed(2)} on ${cores} cores before starting; absolute numbers will be low, ratios less so`);
}

/** Wrong answers (not slow ones) make the run fail: timings are noisy, correctness is not. */
export function flagFailures(count: number, what: string): void {
  if (count === 0) return;
  console.log(`FAILED: ${count} ${what}`);
  process.exitCode = 1;
}

/** Prints why phases were skipped, under the table that shows them as skipped. */
export function printNotes(notes: Array<string | undefined>): void {
  for (const note of notes) if (note) console.log(`  ${note}`);
}

/** Prints rows as an aligned text table; numbers are rounded for reading. */
export function printTable(title: string, rows: Array<Record<string, string | number>>): void {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const text = (value: string | number | undefined) => (typeof value === 'number' ? format(value) : (value ?? ''));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(columns.map((c) => text(row[c]))));
}

export function printRatios(ratios: Ratio[]): void {
  console.log('');
  for (const r of ratios) {
    const cpu = r.byCpu === undefined ? '' : `   by server CPU/request: ${r.byCpu.toFixed(2)}`;
    console.log(`${r.name.padEnd(48)} ${r.value.toFixed(2).padStart(6)}${cpu}  ${verdict(r)}`);
  }
}

/** Whether a ratio meets its target, judged on the measure the target is set for. */
export function meetsTarget(r: Ratio): boolean | undefined {
  if (r.target === undefined) return undefined;
  const measured = r.targetOn === 'cpu' ? r.byCpu : r.value;
  return measured !== undefined && measured >= r.target;
}

function verdict(r: Ratio): string {
  const meets = meetsTarget(r);
  if (meets === undefined) return '(reference)';
  return `(target >= ${r.target} ${r.targetOn === 'cpu' ? 'by server CPU' : 'by rate'}: ${meets ? 'meets' : 'MISSES'})`;
}

function format(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? Math.round(value).toString() : value.toFixed(1);
}

/** Writes `<name>-<timestamp>.json` under $ENTRAKIT_BENCH_DIR or the OS temp dir; returns its path. */
export async function writeResult(name: string, data: unknown): Promise<string> {
  const dir = process.env['ENTRAKIT_BENCH_DIR'] ?? join(tmpdir(), 'entrakit-bench');
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${name}-${stamp}.json`);
  await writeFile(path, `${JSON.stringify({ benchmark: name, date: new Date().toISOString(), machine: machine(), ...(data as object) }, null, 2)}\n`);
  console.log(`\nresult written to ${path}`);
  return path;
}
