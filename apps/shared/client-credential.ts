import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** How an app proves its identity to the token endpoint. */
export type ClientCredential =
  | { kind: 'secret'; secret: string }
  | { kind: 'certificate'; thumbprintSha256: string; privateKeyPem: string; x5c: string; certificateFile: string; keyFile: string };

/** Builds the app's configuration error for `variable` (its message starts with the variable). */
export type ConfigErrorFactory = (variable: string, message: string) => Error;

/** The variables that name the certificate and its key (one PEM file may hold both). */
export interface CertificateVariables {
  certificate: string;
  key: string;
}

async function readNamed(variable: string, path: string, fail: ConfigErrorFactory): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw fail(variable, `${variable} names ${path}, which cannot be read`);
  }
}

/**
 * Certificate credentials (private_key_jwt): MSAL signs a client assertion with the key and names
 * the certificate by its SHA-256 thumbprint; x5c (the PEM chain) lets Entra
 * accept subject-name/issuer auth too.
 */
export async function loadCertificateCredential(
  files: { certificateFile: string; keyFile: string },
  names: CertificateVariables,
  fail: ConfigErrorFactory,
): Promise<ClientCredential> {
  const { certificateFile, keyFile } = files;
  const certificatePem = await readNamed(names.certificate, certificateFile, fail);
  const keyPem = keyFile === certificateFile ? certificatePem : await readNamed(names.key, keyFile, fail);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw fail(names.certificate, `${names.certificate} must hold a PEM X.509 certificate`);
  }
  let privateKeyPem: string;
  try {
    // MSAL wants PKCS#8 ("BEGIN PRIVATE KEY"); re-export whatever PEM flavour was given.
    privateKeyPem = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch {
    throw fail(names.key, `${names.key} must hold an unencrypted PEM private key`);
  }
  if (!certificate.checkPrivateKey(createPrivateKey(privateKeyPem))) {
    throw fail(names.key, `${names.key} does not match the certificate in ${names.certificate}`);
  }
  return {
    kind: 'certificate',
    thumbprintSha256: certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
    privateKeyPem,
    x5c: certificate.toString(),
    certificateFile,
    keyFile,
  };
}

/** The credential as MSAL's `auth` options take it. */
export function msalCredential(credential: ClientCredential): { clientSecret: string } | { clientCertificate: { thumbprintSha256: string; privateKey: string; x5c: string } } {
  return credential.kind === 'secret'
    ? { clientSecret: credential.secret }
    : { clientCertificate: { thumbprintSha256: credential.thumbprintSha256, privateKey: credential.privateKeyPem, x5c: credential.x5c } };
}
