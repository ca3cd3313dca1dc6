export { createDiscoveryClient } from './discovery-client.ts';
export type { DiscoveryClient, DiscoveryClientOptions } from './discovery-client.ts';
export { parseOidcMetadata, isFetchableUrl } from './oidc-metadata.ts';
export type { OidcMetadata } from './oidc-metadata.ts';
