/**
 * MSAL Node behind three entry points. A ConfidentialClientApplication keeps an in-memory cache
 * that its distributed cache plugin only ever adds to, so one instance serves one user (or one
 * sign-in) and is then dropped: users' tokens never meet in memory.
 */
import { ConfidentialClientApplication, DistributedCachePlugin, LogLevel } from '@azure/msal-node';
import type { AuthenticationResult, AuthorizationCodeRequest, AuthorizationUrlRequest, ICacheClient, INetworkModule, IPartitionManager, ITokenCache, SilentFlowRequest } from '@azure/msal-node';
import { isMicrosoftLoginHost } from '../core/entra-hosts.ts';
import { toMsalCacheClient } from '../store/token-cache-store.ts';
import type { TokenCacheStore } from '../store/token-cache-store.ts';
import type { IdentityProvider } from './identity-provider.ts';
import type { ClientCredential } from './settings.ts';

/** The part of ConfidentialClientApplication used here. */
export interface MsalClient {
  getAuthCodeUrl(request: AuthorizationUrlRequest): Promise<string>;
  acquireTokenByCode(request: AuthorizationCodeRequest): Promise<AuthenticationResult>;
  acquireTokenSilent(request: SilentFlowRequest): Promise<AuthenticationResult | null>;
  getTokenCache(): ITokenCache;
}

/** The serialized cache a code redemption produced, held back until the ID token is validated. */
export interface PendingCache {
  partitionKey: string;
  serialized: string;
}

export interface MsalClients {
  /** One client, shared, for building /authorize URLs: it never holds a token. */
  forAuthorizeUrl(): Promise<MsalClient>;
  /** For the sign-in legs; the cache is captured, not stored, so a rejected sign-in leaves nothing behind. */
  forSignIn(): Promise<{ client: MsalClient; pendingCache(): PendingCache | undefined }>;
  /** For one user's tokens: the cache partition is their home account id, encrypted in the store. */
  forUser(homeAccountId: string): Promise<MsalClient>;
  /** Like forUser, but never calls the token endpoint: `neededNetwork()` says a refresh was withheld. */
  forUserCacheOnly(homeAccountId: string): Promise<{ client: MsalClient; neededNetwork(): boolean }>;
}

class CacheOnly extends Error {}

export function createMsalClients(options: {
  clientId: string;
  authority: string;
  credential: ClientCredential;
  provider: IdentityProvider;
  tokenCache: TokenCacheStore;
  networkClient: INetworkModule;
}): MsalClients {
  const { clientId, authority, credential, provider, networkClient } = options;
  const host = new URL(authority).host;
  const storeClient = toMsalCacheClient(options.tokenCache);
  // Serialized once per metadata document (discovery caches the object), not per client.
  const serialized = new WeakMap<object, string>();
  async function metadataJson(): Promise<string> {
    const metadata = await provider.metadata();
    let json = serialized.get(metadata);
    if (json === undefined) serialized.set(metadata, (json = JSON.stringify(metadata)));
    return json;
  }

  async function build(cacheClient: ICacheClient, partition: IPartitionManager, network: INetworkModule): Promise<MsalClient> {
    return new ConfidentialClientApplication({
      auth: {
        clientId,
        authority,
        ...credential,
        // Discovery already fetched (and caches) the metadata: MSAL need not fetch it again.
        authorityMetadata: await metadataJson(),
        // Instance discovery exists only on Microsoft's hosts; another host (the emulator) is trusted as configured.
        ...(isMicrosoftLoginHost(host) ? {} : { knownAuthorities: [host] }),
        // CP1: this library handles claims challenges, so Graph issues CAE tokens (and challenges after revocation).
        clientCapabilities: ['CP1'],
      },
      cache: { cachePlugin: new DistributedCachePlugin(cacheClient, partition) },
      system: { networkClient: network, loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Error, loggerCallback: () => undefined } },
    });
  }

  function forUserWith(homeAccountId: string, network: INetworkModule): Promise<MsalClient> {
    // Fixed key: this instance only ever holds this user's cache.
    const partition: IPartitionManager = { getKey: async () => homeAccountId, extractKey: async () => homeAccountId };
    return build(storeClient, partition, network);
  }

  let urlClient: Promise<MsalClient> | undefined;
  const nothing: ICacheClient = { get: async () => '', set: async () => 'OK' };
  return {
    forAuthorizeUrl() {
      urlClient ??= build(nothing, { getKey: async () => 'authorize', extractKey: async () => 'authorize' }, networkClient).catch((error: unknown) => {
        urlClient = undefined;
        throw error;
      });
      return urlClient;
    },
    async forSignIn() {
      let pending: PendingCache | undefined;
      const capture: ICacheClient = {
        get: async () => '',
        set: async (partitionKey, serialized) => {
          pending = { partitionKey, serialized };
          return 'OK';
        },
      };
      const partition: IPartitionManager = { getKey: async () => 'sign-in', extractKey: async (account) => account.homeAccountId };
      return { client: await build(capture, partition, networkClient), pendingCache: () => pending };
    },
    forUser: (homeAccountId) => forUserWith(homeAccountId, networkClient),
    async forUserCacheOnly(homeAccountId) {
      let needed = false;
      const cacheOnly: INetworkModule = {
        sendGetRequestAsync: (url, request, timeout) => networkClient.sendGetRequestAsync(url, request, timeout),
        // Token requests are the only POSTs: the one thing this client must never send.
        sendPostRequestAsync: async () => {
          needed = true;
          throw new CacheOnly('token request withheld: refresh under the lock');
        },
      };
      return { client: await forUserWith(homeAccountId, cacheOnly), neededNetwork: () => needed };
    },
  };
}
