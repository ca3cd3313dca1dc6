import type { JWTVerifyGetKey } from 'jose';
import { createDiscoveryClient } from '../core/discovery/index.ts';
import type { OidcMetadata } from '../core/discovery/index.ts';

export interface IdentityProvider {
  /** The tenant's discovery document (cached by the discovery client). */
  metadata(): Promise<OidcMetadata>;
  /** The JWKS named by discovery: the only place ID-token keys come from. */
  keySet(): Promise<JWTVerifyGetKey>;
  /** Graph's v1.0 base URL, from discovery's msgraph_host (Entra and the emulator both publish it). */
  graphBaseUrl(): Promise<string>;
}

export function createIdentityProvider(options: { discoveryUrl: string; fetch: typeof fetch; clock: () => number }): IdentityProvider {
  const discovery = createDiscoveryClient({ fetch: options.fetch, clock: options.clock });
  const metadata = (): Promise<OidcMetadata> => discovery.getMetadata(options.discoveryUrl);
  return {
    metadata,
    async keySet() {
      return discovery.getKeySet((await metadata()).jwks_uri);
    },
    async graphBaseUrl() {
      const host = (await metadata())['msgraph_host'];
      return typeof host === 'string' && /^[A-Za-z0-9.-]+(:\d+)?$/.test(host) ? `https://${host}/v1.0` : 'https://graph.microsoft.com/v1.0';
    },
  };
}
