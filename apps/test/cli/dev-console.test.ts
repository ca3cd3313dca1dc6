/**
 * What `npm start` shows on a terminal: `entrakit dev` on a pseudo-terminal (util-linux `script`)
 * writes readable lines, no JSON, no line per web request, and every demo sign-in including the
 * Global Administrator. Off a terminal, or with --log-format json, the apps' lines are JSON.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createAppLogger } from '../../shared/logger.ts';
import { formatLogLine } from '../../shared/pretty-log.ts';

const HAS_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

describe('entrakit dev on a terminal', { skip: HAS_SCRIPT ? false : 'needs script (util-linux)' }, () => {
  it('prints readable lines only: no JSON, no request lines, every demo sign-in', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-dev-tty-'));
    const command = [process.execPath, '--conditions=entrakit-source', 'apps/cli/main.ts', 'dev', '--data', dataDir, '--emulator-port', '0', '--storage-port', '0', '--api-port', '0', '--web-port', '0']
      .map(shellQuote)
      .join(' ');
    // script gives the command a pseudo-terminal; ^C written to it reaches dev as SIGINT. script runs
    // the command with $SHELL -c: `exec` makes dev the shell's process, since a shell that waits for
    // it (dash) is itself killed by that ^C and script then reports 130 whatever dev does. SHELL is
    // fixed so that the run here is the run on any machine.
    const child = spawn('script', ['-qfec', `exec ${command}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SHELL: '/bin/sh', LOG_FORMAT: '', LOG_LEVEL: 'info' } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (out.includes('Ctrl-C stops everything')) resolve();
        };
        child.stdout.on('data', check);
        void exited.then((code) => reject(new Error(`dev exited ${code}:\n${out}`)));
      });
      // Requests the web app serves: each was one JSON line on the console before.
      const listening = /\(listening on (http:\/\/127\.0\.0\.1:\d+)\)/.exec(out)?.[1];
      assert.ok(listening, out);
      for (const path of ['/', '/sessions', '/no-such-page']) assert.ok((await fetch(`${listening}${path}`, { redirect: 'manual' })).status > 0);
      child.stdin.write('\x03');
      assert.equal(await exited, 0, out);
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    }
    // Terminal control sequences (ESC [ ... letter) removed before reading the lines.
    const escape = String.fromCharCode(27);
    const lines = out.split(/\r?\n/).map((line) => line.replace(new RegExp(`${escape}\\[[0-9;]*[A-Za-z]`, 'g'), '').trim());
    assert.deepEqual(lines.filter((line) => line.startsWith('{') || line.includes('"level":')), [], 'no JSON lines');
    assert.ok(lines.some((line) => /^\d\d:\d\d:\d\d {2}INFO +web {2}entrakit web is listening/.test(line)), `the app's own lines are readable:\n${out}`);
    assert.equal(lines.filter((line) => /\brequest\b.*\bstatus=/.test(line)).length, 0, 'no line per request');
    for (const who of ['adele', 'alex', 'megan', 'nestor', 'admin']) assert.match(out, new RegExp(`${who}@entrakitdemo\\.onmicrosoft\\.com {2}password: \\S+`), `${who}'s sign-in is printed`);
    assert.match(out, /Global Administrator +admin@/);
    assert.match(out, /SIGINT: stopping/);
  });
});

describe('the apps logger', () => {
  function capture(options: Parameters<typeof createAppLogger>[0]): { lines: string[]; logger: ReturnType<typeof createAppLogger> } {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    return { lines, logger: createAppLogger({ ...options, destination }) };
  }

  it('writes JSON by default to a destination, readable lines when asked, secrets redacted in both', () => {
    for (const format of [undefined, 'pretty'] as const) {
      const { lines, logger } = capture({ name: 'entrakit-web', ...(format ? { format } : {}) });
      logger.info({ path: '/x', body: { client_secret: 'hush' } }, 'something happened');
      assert.equal(lines.length, 1);
      assert.ok(!lines[0]!.includes('hush'), lines[0]);
      if (format === 'pretty') assert.match(lines[0]!, /^\d\d:\d\d:\d\d {2}INFO +web {2}something happened {2}path=\/x {2}body=\{"client_secret":"\[redacted\]"\}$/);
      else assert.equal(JSON.parse(lines[0]!).msg, 'something happened');
    }
  });

  it('drops request lines only when requestLines is false', () => {
    for (const requestLines of [true, false]) {
      const { lines, logger } = capture({ requestLines });
      logger.info({ method: 'GET', path: '/', status: 200 }, 'request');
      logger.info({ event: 'sign-in' }, 'a sign-in');
      assert.deepEqual(lines.map((line) => JSON.parse(line).msg), requestLines ? ['request', 'a sign-in'] : ['a sign-in']);
    }
  });

  it('passes a line it cannot parse through unchanged', () => {
    assert.equal(formatLogLine('not json'), 'not json');
  });
});
