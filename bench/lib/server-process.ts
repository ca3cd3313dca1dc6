import { fork } from 'node:child_process';

export interface ServerProcess<Info> {
  info: Info;
  pid: number;
  /** Asks the child to close its server and exit (flushing a --cpu-prof profile), then waits. */
  stop(): Promise<void>;
}

/**
 * Starts a server under test in its own process. The entry reads `input` from the first IPC
 * message, answers with its info once listening, and exits on the message 'stop'.
 */
export function startServerProcess<Info>(entry: URL, input: object, execArgv: string[] = []): Promise<ServerProcess<Info>> {
  const child = fork(entry, [], { execArgv: [...process.execArgv, ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error(`${entry.pathname} exited before it was ready`)));
    child.once('message', (info) =>
      resolve({
        info: info as Info,
        pid: child.pid ?? 0,
        async stop() {
          if (child.connected) child.send('stop');
          await exited;
        },
      }),
    );
    child.send(input);
  });
}

/** The child side: `serve(input)` starts listening and returns its info and a close function. */
export function serveFromParent<Input, Info>(serve: (input: Input) => Promise<{ info: Info; close(): Promise<void> }>): void {
  process.once('message', async (input: Input) => {
    const server = await serve(input);
    const stop = async () => {
      await server.close();
      process.exit(0);
    };
    process.on('message', (message) => message === 'stop' && void stop());
    process.once('disconnect', () => void stop()); // the parent died: do not linger
    process.send?.(server.info);
  });
}
