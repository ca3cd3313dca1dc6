import { fork } from 'node:child_process';
import type { Server } from 'node:net';
import { writeHeapSnapshot } from 'node:v8';

/** Memory of a server process after a full garbage collection (the child runs with --expose-gc). */
export interface HeapReport {
  heapUsedMB: number;
  rssMB: number;
  externalMB: number;
}

export interface ServerProcess<Info> {
  info: Info;
  pid: number;
  /** Collects garbage in the child (needs --expose-gc in its execArgv) and reports its memory. */
  heap(): Promise<HeapReport>;
  /** Writes a heap snapshot in the child into `dir` (after a collection) and returns its path. */
  heapSnapshot(dir: string): Promise<string>;
  /** Asks the child to close its server and exit (flushing a --cpu-prof profile), then waits. */
  stop(): Promise<void>;
}

/**
 * Starts a server under test in its own process. The entry reads `input` from the first IPC
 * message, answers with its info once listening, and exits on the message 'stop'. `listener`, a
 * server this process already listens with, is handed to the child (and closed here): a server
 * whose URL others must know before it starts keeps its port from the moment it was bound.
 */
export function startServerProcess<Info>(entry: URL, input: object, execArgv: string[] = [], listener?: Server): Promise<ServerProcess<Info>> {
  const child = fork(entry, [], { execArgv: [...process.execArgv, ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error(`${entry.pathname} exited before it was ready`)));
    child.once('message', (info) =>
      resolve({
        info: info as Info,
        pid: child.pid ?? 0,
        heap: () => ask<HeapReport>(child, { type: 'heap' }),
        heapSnapshot: (dir: string) => ask<string>(child, { type: 'heap-snapshot', dir }),
        async stop() {
          if (child.connected) child.send('stop');
          await exited;
        },
      }),
    );
    if (listener) child.send(input, listener, () => listener.close());
    else child.send(input);
  });
}

function ask<Answer>(child: ReturnType<typeof fork>, message: object): Promise<Answer> {
  return new Promise((resolve) => {
    child.once('message', (answer) => resolve(answer as Answer));
    child.send(message);
  });
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('start the server with --expose-gc to measure its heap');
  gc();
  gc();
}

/**
 * The child side: `serve(input)` starts listening (on `listener` when the parent handed one) and
 * returns its info and a close function.
 */
export function serveFromParent<Input, Info>(serve: (input: Input, listener?: Server) => Promise<{ info: Info; close(): Promise<void> }>): void {
  process.once('message', async (input: Input, listener?: Server) => {
    const server = await serve(input, listener);
    const stop = async () => {
      await server.close();
      process.exit(0);
    };
    process.on('message', (message) => {
      if (message === 'stop') void stop();
      const request = message as { type?: string; dir?: string };
      if (request.type === 'heap') {
        collect();
        const { heapUsed, rss, external } = process.memoryUsage();
        const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
        process.send?.({ heapUsedMB: mb(heapUsed), rssMB: mb(rss), externalMB: mb(external) });
      }
      if (request.type === 'heap-snapshot' && request.dir) {
        collect();
        process.send?.(writeHeapSnapshot(`${request.dir}/server-${process.pid}-${Date.now()}.heapsnapshot`));
      }
    });
    process.once('disconnect', () => void stop()); // the parent died: do not linger
    process.send?.(server.info);
  });
}
