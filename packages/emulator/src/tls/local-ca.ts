import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createCertificateAuthority, createServerCertificate, importCaKeys } from './certificates.ts';

export interface LocalTls {
  /** Absolute path of the CA certificate clients must trust. */
  caFile: string;
  caPem: string;
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

const HOSTNAMES = ['localhost', '127.0.0.1', '::1'];

/**
 * Creates the local CA on first run (DATA/ca.pem) and reuses it afterwards, so a CA the user
 * trusted once stays trusted. The leaf certificate is re-issued when missing.
 */
export async function ensureLocalTls(dataDir: string, now: Date = new Date()): Promise<LocalTls> {
  const dir = resolve(dataDir);
  const tlsDir = join(dir, 'tls');
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and ignored for an existing folder: set it outright.
  await chmod(tlsDir, 0o700);
  const caFile = join(dir, 'ca.pem');
  const caKeyFile = join(tlsDir, 'ca-key.pem');
  const certFile = join(tlsDir, 'server-cert.pem');
  const keyFile = join(tlsDir, 'server-key.pem');

  if (!existsSync(caFile) || !existsSync(caKeyFile)) {
    const ca = await createCertificateAuthority('entrakit local CA', now);
    await writeFile(caKeyFile, ca.keyPem, { mode: 0o600 });
    await writeFile(caFile, ca.certPem);
  }
  await chmod(caKeyFile, 0o600);
  const caPem = await readFile(caFile, 'utf8');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const ca = await importCaKeys(caPem, await readFile(caKeyFile, 'utf8'));
    const leaf = await createServerCertificate(ca, HOSTNAMES, now);
    await writeFile(keyFile, leaf.keyPem, { mode: 0o600 });
    await writeFile(certFile, leaf.certPem);
  }
  await chmod(keyFile, 0o600);
  return {
    caFile,
    caPem,
    certFile,
    keyFile,
    certPem: await readFile(certFile, 'utf8'),
    keyPem: await readFile(keyFile, 'utf8'),
  };
}
