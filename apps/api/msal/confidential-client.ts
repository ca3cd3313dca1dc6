import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import type { Configuration } from '@azure/msal-node';
import { isMicrosoftLoginHost } from 'entrakit';
import type { ApiConfig } from '../config.ts';
import { msalCredential } from '../../shared/client-credential.ts';

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
  Object.assign(auth, msalCredential(config.credential));
  return new ConfidentialClientApplication({
    auth,
    // MSAL logs at Info by default; its messages may carry PII, so only errors, without PII.
    system: { loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined } },
  });
}
