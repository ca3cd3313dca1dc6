/**
 * `npm run test:mutations`: applies each security mutation (security-mutations.ts) to a scratch
 * copy of the repository, runs only the tests named for it, and prints whether they caught it.
 * Not part of `npm test` (each mutation runs test files that start real servers).
 *
 *   npm run test:mutations                      every mutation
 *   npm run test:mutations -- --only id1,id2    some of them
 *   npm run test:mutations -- --list            print the list
 *   npm run test:mutations -- --skip-baseline   skip the unmutated run of the named tests
 *   npm run test:mutations -- --keep            keep the scratch copy (its path is printed)
 *   npm run test:mutations -- --verbose         show the end of each test run's output
 *
 * Exit code: 0 when every mutation was caught, 1 when one survived or no longer applies.
 */
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SECURITY_MUTATIONS, type SecurityMutation } from './security-mutations.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TEST_TIMEOUT_MS = 10 * 60_000;

type Outcome = 'caught' | 'survived' | 'not applied' | 'baseline failed';

function parseArgs(argv: string[]): { only?: Set<string>; list: boolean; skipBaseline: boolean; keep: boolean; verbose: boolean } {
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',').filter(Boolean)) : undefined;
  return { ...(only ? { only } : {}), list: argv.includes('--list'), skipBaseline: argv.includes('--skip-baseline'), keep: argv.includes('--keep'), verbose: argv.includes('--verbose') };
}

/**
 * The working tree without node_modules and .git (tracked and untracked, not ignored files), so
 * the copy tests what is on disk now.
 */
function copyTree(to: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 })
    .toString('utf8')
    .split('\0')
    .filter((f) => f !== '' && existsSync(join(REPO, f)));
  for (const file of files) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(REPO, file), join(to, file), { verbatimSymlinks: true });
  }
}

/**
 * node_modules for the copy. Third-party packages link to the repository's (absolute links: their
 * real path is outside the copy, which is fine). Workspace packages are relative links such as
 * `entrakit -> ../packages/entrakit`: linking the repository's entry would resolve to the
 * unmutated sources, so those are re-created relative to the copy.
 */
function linkNodeModules(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const source = join(from, entry);
    const target = join(to, entry);
    const stat = lstatSync(source);
    if (stat.isSymbolicLink()) {
      const link = readlinkSync(source);
      const inRepo = relative(REPO, resolve(from, link));
      const workspace = !isAbsolute(link) && !inRepo.startsWith('..') && !inRepo.startsWith('node_modules');
      symlinkSync(workspace ? link : source, target);
    } else if (stat.isDirectory() && entry.startsWith('@')) {
      linkNodeModules(source, target);
    } else {
      symlinkSync(source, target);
    }
  }
}

function applyMutation(root: string, mutation: SecurityMutation): string | undefined {
  const path = join(root, mutation.file);
  if (!existsSync(path)) return `${mutation.file} does not exist`;
  const original = readFileSync(path, 'utf8');
  const count = original.split(mutation.find).length - 1;
  if (count !== 1) return `the pattern occurs ${count} times in ${mutation.file} (must be exactly once)`;
  writeFileSync(path, original.replace(mutation.find, () => mutation.replace));
  return undefined;
}

function restore(root: string, mutation: SecurityMutation): void {
  cpSync(join(REPO, mutation.file), join(root, mutation.file));
}

/** Runs the test files in the copy; resolves with the exit code and the last lines of output. */
function runTests(root: string, tests: readonly string[]): Promise<{ code: number; tail: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=dot', ...tests], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '--conditions=entrakit-source' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), TEST_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? 1, tail: output.split('\n').slice(-12).join('\n') });
    });
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const chosen = SECURITY_MUTATIONS.filter((m) => !args.only || args.only.has(m.id));
  if (args.list) {
    for (const m of chosen) console.log(`${m.id}\n  ${m.file}: ${m.why}\n  tests: ${m.tests.join(', ')}`);
    return;
  }
  if (chosen.length === 0) throw new Error('no mutation matches --only');
  const root = mkdtempSync(join(tmpdir(), 'entrakit-mutations-'));
  console.log(`scratch copy: ${root}`);
  copyTree(root);
  linkNodeModules(join(REPO, 'node_modules'), join(root, 'node_modules'));

  const results: Array<{ mutation: SecurityMutation; outcome: Outcome; detail?: string }> = [];
  try {
    if (!args.skipBaseline) {
      const files = [...new Set(chosen.flatMap((m) => m.tests))];
      console.log(`baseline: ${files.length} test files, unmutated`);
      const baseline = await runTests(root, files);
      if (baseline.code !== 0) {
        console.log(`baseline failed: a mutation cannot be judged by tests that already fail\n${baseline.tail}`);
        process.exitCode = 1;
        return;
      }
    }
    for (const mutation of chosen) {
      const problem = applyMutation(root, mutation);
      if (problem) {
        results.push({ mutation, outcome: 'not applied', detail: problem });
        console.log(`NOT APPLIED  ${mutation.id}: ${problem}`);
        continue;
      }
      const run = await runTests(root, mutation.tests);
      restore(root, mutation);
      const outcome: Outcome = run.code === 0 ? 'survived' : 'caught';
      results.push({ mutation, outcome });
      console.log(`${outcome === 'caught' ? 'caught      ' : 'SURVIVED    '} ${mutation.id}`);
      if (args.verbose) console.log(run.tail.replace(/^/gm, '    '));
    }
  } finally {
    if (args.keep) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  console.log(`\n${results.length} mutations: ${count('caught')} caught, ${count('survived')} survived, ${count('not applied')} not applied`);
  for (const r of results.filter((x) => x.outcome !== 'caught')) console.log(`  ${r.outcome}: ${r.mutation.id} (${r.mutation.file}) ${r.detail ?? r.mutation.why}`);
  if (count('survived') > 0 || count('not applied') > 0) process.exitCode = 1;
}

await main();
