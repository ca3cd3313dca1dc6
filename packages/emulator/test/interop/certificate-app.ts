import { createHash, KeyObject, webcrypto } from 'node:crypto';
import { newApplication } from '../../src/directory/new-application.ts';
import { registerApplication } from '../../src/directory/registration.ts';
import type { RunningEmulator } from '../../src/server.ts';
import { createSigningCertificate } from '../../src/tls/certificates.ts';

export interface CertificateApp {
  appId: string;
  privateKey: CryptoKey;
  privateKeyPem: string;
  /** base64url SHA-1 of the certificate's DER: the `x5t` Entra expects in client assertions. */
  x5t: string;
  /** hex SHA-1, MSAL Python's `thumbprint`. */
  thumbprintHex: string;
}

/** Registers a confidential app (and its service principal) whose only credential is a fresh self-signed certificate. */
export async function registerCertificateApp(emulator: RunningEmulator): Promise<CertificateApp> {
  const keys = (await webcrypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const der = Buffer.from(await createSigningCertificate(keys, new Date(emulator.deps.clock())));
  const sha1 = createHash('sha1').update(der);
  const thumbprintHex = sha1.copy().digest('hex');
  const appId = webcrypto.randomUUID();
  const app = newApplication({
    appId,
    displayName: `interop certificate app ${appId.slice(0, 8)}`,
    web: { redirectUris: ['http://localhost:7000/callback'], logoutUrl: null },
    keyCredentials: [
      {
        keyId: webcrypto.randomUUID(),
        type: 'AsymmetricX509Cert',
        usage: 'Verify',
        key: der.toString('base64'),
        customKeyIdentifier: thumbprintHex.toUpperCase(),
        displayName: 'interop certificate',
      },
    ],
  });
  registerApplication(emulator.deps.directory, emulator.devJson.tenantId, app);
  return {
    appId,
    privateKey: keys.privateKey,
    privateKeyPem: KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString(),
    x5t: sha1.digest('base64url'),
    thumbprintHex,
  };
}
