/**
 * Real Entra: the device code flow as the Azure CLI public client (preauthorized for Graph in
 * every tenant), with MSAL Node. The message ("To sign in, use a web browser to open ...") is
 * printed; the token is not.
 */
import { PublicClientApplication } from '@azure/msal-node';
import { provisionError } from '../errors.ts';
import { AZURE_CLI_CLIENT_ID, cachedTokenSource, GRAPH_DEFAULT_SCOPE } from '../token-source.ts';
import type { TokenSource } from '../token-source.ts';

export function deviceCodeTokenSource(options: { tenant: string; print: (line: string) => void; instance?: string; clientId?: string }): TokenSource {
  const instance = (options.instance ?? 'https://login.microsoftonline.com').replace(/\/$/, '');
  const msal = new PublicClientApplication({ auth: { clientId: options.clientId ?? AZURE_CLI_CLIENT_ID, authority: `${instance}/${options.tenant}` } });
  return cachedTokenSource(`device code sign-in to tenant ${options.tenant}`, async () => {
    try {
      const result = await msal.acquireTokenByDeviceCode({ scopes: [GRAPH_DEFAULT_SCOPE], deviceCodeCallback: (response) => options.print(response.message) });
      if (!result?.accessToken) throw new Error('no access token');
      return { accessToken: result.accessToken, expiresOn: result.expiresOn };
    } catch (cause) {
      throw provisionError('PROVISION_SIGN_IN_FAILED', `device code sign-in failed: ${(cause as { errorCode?: string }).errorCode ?? (cause as Error).message}`, { cause });
    }
  });
}
