/**
 * A real redis-server for one test file, on a free port, keeping its data file in the test's
 * folder so it can be stopped (an outage) and started again with the same data. The library's
 * store tests and the web app's tests share it (apps/test/web/helpers/redis-server.ts).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const redisInstalled = (): boolean => existsSync(REDIS_SERVER);

export interface TestRedis {
  url: string;
  /** Saves the data to disk and stops the server (clients see connection refused). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the saved data. */
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

class RedisExited extends Error {
  constructor(code: number) {
    super(`redis-server exited with ${code}`);
  }
}

/** Sends one inline command and returns the first reply line. */
async function command(port: number, line: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(reply.split('\r\n')[0] ?? ''));
  });
}

export async function startTestRedis(dir: string): Promise<TestRedis> {
  // redis-server cannot report a port it picked itself: a port is probed free, and should another
  // process take it before redis binds (redis then exits), the first start tries another one.
  let port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const process = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'dump.rdb', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    child = process;
    for (let attempt = 0; attempt < 100; attempt++) {
      if (process.exitCode !== null) throw new RedisExited(process.exitCode);
      if ((await command(port, 'PING')) === '+PONG') return;
      await sleep(50);
    }
    // Not answering: stop it rather than leave it running.
    process.kill('SIGKILL');
    child = undefined;
    throw new Error('redis-server did not answer PING within 5 s');
  }

  async function stop(): Promise<void> {
    const process = child;
    if (!process || process.exitCode !== null) return;
    const exited = new Promise((done) => process.once('exit', done));
    try {
      const saved = await command(port, 'SAVE');
      if (saved !== '+OK') throw new Error(`redis SAVE answered ${saved}`);
    } finally {
      // Stopped even when SAVE failed.
      process.kill('SIGTERM');
      await exited;
      child = undefined;
    }
  }

  for (let tries = 1; ; tries++) {
    try {
      await start();
      break;
    } catch (error) {
      if (!(error instanceof RedisExited) || tries === 5) throw error;
      port = await freePort();
    }
  }
  return { url: `redis://127.0.0.1:${port}`, stop, start, close: stop };
}
