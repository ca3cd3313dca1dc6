/**
 * The one place a test chooses a port before a child process listens on it. Where the process is
 * in this test's own hands, the test listens on port 0 and reads the bound port instead; this is
 * only for a child that must be told its port up front because its configuration needs its own
 * URL before it listens (`entrakit dev --web-port N`, `entrakit web --port N`, the examples' PORT,
 * the bench's peer app whose provider registers its redirect URI first). The port is free when
 * chosen, but another process may take it before the child binds it, so `start` runs again on a
 * new port when it fails with EADDRINUSE.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

const ATTEMPTS = 5;

/**
 * Runs `start(port)` on a port free a moment ago; when it fails with an error that mentions
 * EADDRINUSE (the child's output, which `start` should put in its error), again on another port.
 */
export async function startOnFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await unusedPort();
    try {
      return await start(port);
    } catch (error) {
      if (attempt >= ATTEMPTS || !mentionsAddressInUse(error)) throw error;
    }
  }
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function mentionsAddressInUse(error: unknown): boolean {
  if ((error as { code?: unknown } | undefined)?.code === 'EADDRINUSE') return true;
  return /EADDRINUSE/.test(error instanceof Error ? error.message : String(error));
}
