import assert from 'node:assert/strict';
import { createHash, KeyObject, webcrypto } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { startEmulator } from '../../src/server.ts';
import { createSigningCertificate } from '../../src/tls/certificates.ts';

describe('tenant file on disk', () => {
  it('reads a certificate file relative to the config; MSAL Node signs in with it (private_key_jwt); a restart reuses the tenant', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'entrakit-config-'));
    try {
      const keys = (await webcrypto.subtle.generateKey(
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
        true,
        ['sign', 'verify'],
      )) as CryptoKeyPair;
      const der = Buffer.from(await createSigningCertificate(keys, new Date()));
      const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
      await mkdir(join(scratch, 'certs'));
      await writeFile(join(scratch, 'certs', 'daemon.pem'), pem);
      const config = {
        tenants: [
          {
            domain: 'certs.test',
            apps: [{ name: 'daemon', displayName: 'Daemon', certificates: [{ file: 'certs/daemon.pem' }], requiredPermissions: [{ resource: 'graph', roles: ['Group.Read.All'], adminConsent: true }] }],
          },
        ],
      };
      await writeFile(join(scratch, 'tenants.json'), JSON.stringify(config));
      const dataDir = join(scratch, 'data');
      const first = await startEmulator({ config: join(scratch, 'tenants.json'), dataDir, port: 0, trustCa: true });
      let clientId: string;
      try {
        const daemon = first.devJson.apps['daemon']!;
        clientId = daemon.clientId;
        assert.deepEqual(daemon.clientSecrets, []);
        const cca = new ConfidentialClientApplication({
          auth: {
            clientId: daemon.clientId,
            authority: daemon.authority,
            knownAuthorities: [new URL(first.url).host],
            clientCertificate: { thumbprintSha256: createHash('sha256').update(der).digest('hex'), privateKey: KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString() },
          },
        });
        const result = await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
        const claims = decodeJwt(result!.accessToken);
        assert.deepEqual(claims['roles'], ['Group.Read.All']);
        assert.equal(claims['appidacr'], '2', 'authenticated with a certificate');
      } finally {
        await first.close();
      }
      const second = await startEmulator({ config: join(scratch, 'tenants.json'), dataDir, port: 0, writeDevJson: false });
      try {
        assert.equal(second.devJson.apps['daemon']!.clientId, clientId);
      } finally {
        await second.close();
      }
      await writeFile(join(scratch, 'tenants.json'), JSON.stringify({ tenants: [{ ...config.tenants[0], displayName: 'Renamed' }] }));
      await assert.rejects(startEmulator({ config: join(scratch, 'tenants.json'), dataDir, port: 0, writeDevJson: false }), /tenants\[0\]: tenant certs\.test was created in this data folder from a different version of the config/);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
