import { updateDevJson } from '@entrakit/emulator';
import { trustCaCertificate } from 'entrakit';
import { startAzurite } from './azurite.ts';
import { seedStories } from './seed-stories.ts';
import type { StoryOwner } from './seed-stories.ts';

export interface StartStorageOptions {
  dataDir: string;
  /** The local TLS material (the emulator's: `ensureLocalTls(dataDir)`); the leaf must cover 127.0.0.1. */
  tls: { certFile: string; keyFile: string; caPem: string };
  users: readonly StoryOwner[];
  /** Default 10000; 0 picks a free port. */
  port?: number;
}

export interface RunningStorage {
  blobUrl: string;
  close(): Promise<void>;
}

/**
 * What `entrakit dev` runs for storage: Azurite over HTTPS with OAuth, a story per demo user,
 * and `"storage": {"blobUrl"}` in dev.json.
 */
export async function startStorage(options: StartStorageOptions): Promise<RunningStorage> {
  // The Storage SDK (seeding here, the API later) must trust Azurite's certificate.
  trustCaCertificate(options.tls.caPem);
  const azurite = await startAzurite({
    dataDir: options.dataDir,
    certFile: options.tls.certFile,
    keyFile: options.tls.keyFile,
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  try {
    await seedStories({ blobUrl: azurite.blobUrl, users: options.users });
    await updateDevJson(options.dataDir, { storage: { blobUrl: azurite.blobUrl } });
  } catch (error) {
    await azurite.close();
    throw error;
  }
  return azurite;
}
