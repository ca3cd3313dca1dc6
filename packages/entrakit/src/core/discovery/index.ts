export { createDiscoveryClient } from './discovery-client.ts';
export type { DiscoveryClient, DiscoveryClientOptions } from './discovery-client.ts';
export { parseOidcMetadata, isFetchableUrl } from './oidc-metadata.ts';
export type { OidcMetadata } from './oidc-metadata.ts';
export { createRemoteKeySet } from './remote-key-set.ts';
export type { RemoteKeySet, RemoteKeySetOptions } from './remote-key-set.ts';
