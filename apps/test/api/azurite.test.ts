import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { trustCaCertificate } from '../../../packages/entrakit/src/core/trust-ca.ts';
import { ensureLocalTls } from '../../../packages/emulator/src/tls/local-ca.ts';
import type { LocalTls } from '../../../packages/emulator/src/tls/local-ca.ts';
import { AZURITE_ACCOUNT_KEY, azuriteBlobScript, demoStory, seedStories, startAzurite, startStorage } from '../../storage/index.ts';

const NO_AZURITE = azuriteBlobScript() === undefined ? 'Azurite is not installed: run npm install' : false;
const USERS = [
  { oid: 'aaaaaaaa-0000-4000-8000-000000000001', displayName: 'Ada' },
  { oid: 'aaaaaaaa-0000-4000-8000-000000000002', displayName: 'Bo' },
];

function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.destroy();
      done(false);
    });
    socket.once('error', () => done(true));
  });
}

describe('Azurite blob storage (child process, HTTPS, OAuth)', { skip: NO_AZURITE }, () => {
  let dataDir: string;
  let tls: LocalTls;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'entrakit-azurite-'));
    tls = await ensureLocalTls(dataDir);
    trustCaCertificate(tls.caPem);
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('starts on a free port, seeds stories once, and stops on close', async () => {
    const azurite = await startAzurite({ dataDir, certFile: tls.certFile, keyFile: tls.keyFile, port: 0 });
    try {
      assert.match(azurite.blobUrl, /^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
      assert.deepEqual(await seedStories({ blobUrl: azurite.blobUrl, users: USERS }), { created: 2 });
      assert.deepEqual(await seedStories({ blobUrl: azurite.blobUrl, users: USERS }), { created: 0 });
      const container = new ContainerClient(`${azurite.blobUrl}/stories`, new StorageSharedKeyCredential('devstoreaccount1', AZURITE_ACCOUNT_KEY));
      const text = (await container.getBlobClient(`${USERS[0]?.oid}.md`).downloadToBuffer()).toString('utf8');
      assert.equal(text, demoStory(USERS[0] ?? { oid: '', displayName: '' }));
    } finally {
      await azurite.close();
    }
    assert.equal(await refusesConnections(azurite.blobUrl), true);
  });

  it('keeps DATA/azurite owner-only: 0700 folders and 0600 files, those of an earlier run tightened', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'entrakit-azurite-modes-'));
    try {
      // What an Azurite run under the default umask left: open folders and files.
      await mkdir(join(dir, 'azurite', 'old'), { recursive: true, mode: 0o755 });
      await writeFile(join(dir, 'azurite', 'old', 'extent'), 'x', { mode: 0o644 });
      const azurite = await startAzurite({ dataDir: dir, certFile: tls.certFile, keyFile: tls.keyFile, port: 0 });
      try {
        await seedStories({ blobUrl: azurite.blobUrl, users: USERS });
      } finally {
        await azurite.close();
      }
      const modes: Array<[string, string]> = [];
      const walk = async (path: string): Promise<void> => {
        const info = await stat(path);
        modes.push([path.slice(dir.length), (info.mode & 0o777).toString(8)]);
        if (info.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name));
      };
      await walk(join(dir, 'azurite'));
      assert.ok(modes.filter(([, mode]) => mode === '600').length >= 2, `Azurite wrote its own files too: ${JSON.stringify(modes)}`);
      assert.deepEqual(modes.filter(([, mode]) => mode !== '700' && mode !== '600'), [], 'nothing readable by others');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with AZURITE_START_FAILED when the port is taken', async () => {
    const first = await startAzurite({ dataDir, certFile: tls.certFile, keyFile: tls.keyFile, port: 0 });
    try {
      const port = Number(new URL(first.blobUrl).port);
      await assert.rejects(startAzurite({ dataDir: join(dataDir, 'second'), certFile: tls.certFile, keyFile: tls.keyFile, port }), {
        code: 'AZURITE_START_FAILED',
        message: /^Azurite exited with code \d+/,
      });
    } finally {
      await first.close();
    }
  });

  it('refuses missing certificate files by option name', async () => {
    await assert.rejects(startAzurite({ dataDir, certFile: join(dataDir, 'nope.pem'), keyFile: tls.keyFile }), {
      name: 'TypeError',
      message: 'startAzurite: "certFile" must name an existing PEM file',
    });
  });

  it('startStorage seeds and records storage.blobUrl in dev.json', async () => {
    const storage = await startStorage({ dataDir, tls, users: USERS, port: 0 });
    try {
      const devJson = JSON.parse(await readFile(join(dataDir, 'dev.json'), 'utf8')) as { storage?: { blobUrl: string } };
      assert.deepEqual(devJson.storage, { blobUrl: storage.blobUrl });
    } finally {
      await storage.close();
    }
  });
});
