/**
 * startOnFreePort: a child that finds its port taken (EADDRINUSE) is started again on another
 * port; any other failure is passed on at once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { startOnFreePort } from './port-for-child.ts';

const children: ChildProcess[] = [];
const squatters: Server[] = [];

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const server of squatters) await new Promise<void>((done) => server.close(() => done()));
});

/** A child process listening on `port` that prints "up", or fails with its stderr. */
function listeningChild(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => String(chunk).includes('up') && resolve(child));
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
}

/** Another process's server on `port`, taken in the moment between choosing the port and the child binding it. */
async function takePort(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done());
  });
  squatters.push(server);
}

describe('startOnFreePort', () => {
  it('starts the child again on another port when its first port was taken', async () => {
    const tried: number[] = [];
    const { port } = await startOnFreePort(async (candidate) => {
      tried.push(candidate);
      if (tried.length === 1) await takePort(candidate);
      await listeningChild(candidate);
      return { port: candidate };
    });
    assert.equal(tried.length, 2, 'one failed start, one good one');
    assert.notEqual(port, tried[0]);
    assert.equal(port, tried[1]);
  });

  it('passes any other failure on without trying again', async () => {
    let calls = 0;
    await assert.rejects(
      startOnFreePort(async () => {
        calls += 1;
        throw new Error('the configuration is invalid');
      }),
      /the configuration is invalid/,
    );
    assert.equal(calls, 1);
  });
});
