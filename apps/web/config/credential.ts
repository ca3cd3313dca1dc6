import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { WebConfigError } from './errors.ts';

/** How the web app proves its identity to the token endpoint. */
export type ClientCredential =
  | { kind: 'secret'; secret: string }
  | { kind: 'certificate'; thumbprintSha256: string; privateKeyPem: string; x5c: string; certificateFile: string };

async function readNamed(variable: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new WebConfigError(variable, `${variable} names ${path}, which cannot be read`);
  }
}

/**
 * Certificate credentials (private_key_jwt): MSAL signs a client assertion with the key and names
 * the certificate by its SHA-256 thumbprint; x5c (the PEM chain) lets Entra
 * accept subject-name/issuer auth too.
 */
export async function loadCertificateCredential(certificateFile: string, keyFile: string): Promise<ClientCredential> {
  const certificatePem = await readNamed('ENTRA_CLIENT_CERTIFICATE_FILE', certificateFile);
  const keyPem = await readNamed('ENTRA_CLIENT_CERTIFICATE_KEY_FILE', keyFile);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new WebConfigError('ENTRA_CLIENT_CERTIFICATE_FILE', 'ENTRA_CLIENT_CERTIFICATE_FILE must hold a PEM X.509 certificate');
  }
  let privateKeyPem: string;
  try {
    // MSAL wants PKCS#8 ("BEGIN PRIVATE KEY"); re-export whatever PEM flavour was given.
    privateKeyPem = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch {
    throw new WebConfigError('ENTRA_CLIENT_CERTIFICATE_KEY_FILE', 'ENTRA_CLIENT_CERTIFICATE_KEY_FILE must hold an unencrypted PEM private key');
  }
  if (!certificate.checkPrivateKey(createPrivateKey(privateKeyPem))) {
    throw new WebConfigError('ENTRA_CLIENT_CERTIFICATE_KEY_FILE', 'ENTRA_CLIENT_CERTIFICATE_KEY_FILE does not match the certificate in ENTRA_CLIENT_CERTIFICATE_FILE');
  }
  return {
    kind: 'certificate',
    thumbprintSha256: certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
    privateKeyPem,
    x5c: certificate.toString(),
    certificateFile,
  };
}
