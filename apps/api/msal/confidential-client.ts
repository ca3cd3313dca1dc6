import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import type { Configuration } from '@azure/msal-node';
import { isMicrosoftLoginHost } from 'entrakit';
import { EntrakitError } from 'entrakit';
import type { ApiConfig } from '../config.ts';

/**
 * An MSAL confidential client for the API's own app registration. Hosts other than Microsoft's
 * (the emulator) are declared as known authorities, which turns MSAL's instance discovery off.
 */
export async function createConfidentialClient(
  config: Pick<ApiConfig, 'clientId' | 'authority' | 'instance' | 'credential'>,
): Promise<ConfidentialClientApplication> {
  const host = new URL(config.instance).host;
  const auth: Configuration['auth'] = { clientId: config.clientId, authority: config.authority };
  if (!isMicrosoftLoginHost(host)) auth.knownAuthorities = [host];
  if (config.credential.kind === 'secret') auth.clientSecret = config.credential.secret;
  else auth.clientCertificate = await readClientCertificate(config.credential.file);
  return new ConfidentialClientApplication({
    auth,
    // MSAL logs at Info by default; its messages may carry PII, so only errors, without PII.
    system: { loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined } },
  });
}

/** A PEM file holding the private key and its certificate, as `az ad app credential reset --create-cert` writes. */
async function readClientCertificate(file: string): Promise<{ thumbprintSha256: string; privateKey: string; x5c: string }> {
  const pem = await readFile(file, 'utf8');
  const privateKey = /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/.exec(pem)?.[0];
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!privateKey || !certificate) {
    throw new EntrakitError('API_CONFIG_INVALID', 'Invalid API configuration: API_CLIENT_CERTIFICATE_FILE must hold a PEM private key and its certificate', {
      status: 500,
      details: { variables: ['API_CLIENT_CERTIFICATE_FILE'] },
    });
  }
  const thumbprintSha256 = new X509Certificate(certificate).fingerprint256.replace(/:/g, '').toLowerCase();
  return { thumbprintSha256, privateKey, x5c: certificate };
}
