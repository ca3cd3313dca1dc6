import tls from 'node:tls';

/**
 * Adds a CA (the emulator's local CA) to this process's default trust store, so fetch, MSAL and
 * the Azure SDK accept the emulator's certificate without disabling verification anywhere.
 */
export function trustCaCertificate(caPem: string): void {
  const current = tls.getCACertificates('default');
  if (current.includes(caPem)) return;
  tls.setDefaultCACertificates([...current, caPem]);
}
