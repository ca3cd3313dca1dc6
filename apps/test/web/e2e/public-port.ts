/**
 * A port held for the web app's public URL before the app starts. The app's configuration needs
 * that URL (WEB_BASE_URL, the registered redirect URIs) before it listens, so the test binds port 0
 * here first, builds the URL from the bound port, starts the real app (startWeb) on its own
 * ephemeral port, and relays each connection to it byte for byte. No port is closed and handed out
 * again, so another process cannot take it in between.
 */
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface PublicPort {
  port: number;
  /** http://localhost:PORT, the URL users open. */
  url: string;
  /** Where connections go from now on: the app's `listening` address (e.g. http://127.0.0.1:41234). */
  relayTo(listening: string): void;
  close(): Promise<void>;
}

export async function holdPublicPort(): Promise<PublicPort> {
  let target: { host: string; port: number } | undefined;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    // Before the app is up nothing may answer: a connection then is refused outright.
    if (!target) return void client.destroy();
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://localhost:${port}`,
    relayTo(listening) {
      const at = new URL(listening);
      target = { host: at.hostname.replace(/^\[|\]$/g, ''), port: Number(at.port) };
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
