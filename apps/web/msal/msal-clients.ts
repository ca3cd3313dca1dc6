/**
 * MSAL Node behind two small entry points. A ConfidentialClientApplication keeps an in-memory
 * cache that its distributed cache plugin only ever adds to, so one instance serves one user (or
 * one sign-in) and is then dropped: users' tokens never meet in memory.
 */
import { ConfidentialClientApplication, DistributedCachePlugin, LogLevel } from '@azure/msal-node';
import { isMicrosoftLoginHost } from 'entrakit';
import type {
  AuthenticationResult,
  AuthorizationCodeRequest,
  AuthorizationUrlRequest,
  Configuration,
  ICacheClient,
  INetworkModule,
  IPartitionManager,
  ITokenCache,
  SilentFlowRequest,
} from '@azure/msal-node';
import { recordingNetworkClient } from 'entrakit/internal';
import type { TraceStep } from 'entrakit/internal';
import { toMsalCacheClient } from 'entrakit/store';
import type { TokenCacheStore } from 'entrakit/store';
import type { IdentityProvider } from 'entrakit/web';
import type { WebConfig } from '../config.ts';
import type { AppLogger } from '../../shared/logger.ts';
import { msalCredential } from '../../shared/client-credential.ts';

/** The part of ConfidentialClientApplication the app uses. */
export interface MsalClient {
  getAuthCodeUrl(request: AuthorizationUrlRequest): Promise<string>;
  acquireTokenByCode(request: AuthorizationCodeRequest): Promise<AuthenticationResult>;
  acquireTokenSilent(request: SilentFlowRequest): Promise<AuthenticationResult | null>;
  getTokenCache(): ITokenCache;
}

/** Builds the MSAL client from a configuration; tests may wrap the real one. */
export type MsalClientFactory = (configuration: Configuration) => MsalClient;

export const defaultMsalFactory: MsalClientFactory = (configuration) => new ConfidentialClientApplication(configuration);

/** The serialized cache a code redemption produced, held back until the ID token is validated. */
export interface PendingCache {
  partitionKey: string;
  serialized: string;
}

export interface SignInClient {
  client: MsalClient;
  pendingCache(): PendingCache | undefined;
}

export interface MsalClients {
  /** For the sign-in legs; the cache is captured, not stored, so a rejected sign-in leaves nothing behind. */
  forSignIn(record?: (step: TraceStep) => void): Promise<SignInClient>;
  /** For one user's tokens: the cache partition is their MSAL home account id, encrypted in our store. */
  forUser(homeAccountId: string): Promise<MsalClient>;
  /**
   * Like forUser, but the client never calls the token endpoint: a silent acquisition that needs
   * the refresh token fails instead and `neededNetwork()` says so. Cached tokens are served without
   * waiting for the refresh lock; refreshes happen only under it (see user-tokens.ts).
   */
  forUserCacheOnly(homeAccountId: string): Promise<{ client: MsalClient; neededNetwork(): boolean }>;
}

/** Thrown by the cache-only network client in place of a token request. */
class CacheOnly extends Error {}

export function createMsalClients(options: {
  config: WebConfig;
  provider: IdentityProvider;
  tokenCache: TokenCacheStore;
  networkClient: INetworkModule;
  clock: () => number;
  logger: AppLogger;
  factory?: MsalClientFactory;
}): MsalClients {
  const { config, provider, tokenCache, networkClient, clock, logger } = options;
  const factory = options.factory ?? defaultMsalFactory;
  const host = new URL(config.instance).host;
  const storeClient = toMsalCacheClient(tokenCache);

  async function build(cacheClient: ICacheClient, partition: IPartitionManager, network: INetworkModule): Promise<MsalClient> {
    const credential = msalCredential(config.credential);
    return factory({
      auth: {
        clientId: config.clientId,
        authority: config.authority,
        ...credential,
        // Our discovery client already fetched (and cached) the metadata: MSAL need not fetch it again.
        authorityMetadata: JSON.stringify(await provider.metadata()),
        // Instance discovery only exists on Microsoft's hosts; other hosts (the emulator) are trusted as configured.
        ...(isMicrosoftLoginHost(host) ? {} : { knownAuthorities: [host] }),
        // CP1: the app handles claims challenges, so Graph gives it CAE tokens (and challenges after revocation).
        clientCapabilities: ['CP1'],
      },
      cache: { cachePlugin: new DistributedCachePlugin(cacheClient, partition) },
      system: {
        networkClient: network,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (_level, message) => logger.debug({ msal: message }, 'msal'),
        },
      },
    });
  }

  async function buildForUser(homeAccountId: string, network: INetworkModule): Promise<MsalClient> {
    if (typeof homeAccountId !== 'string' || homeAccountId === '') throw new TypeError('forUser: "homeAccountId" must be a non-empty string');
    // Fixed key: this instance only ever holds this user's cache, so there is nothing else to route.
    const partition: IPartitionManager = { getKey: async () => homeAccountId, extractKey: async () => homeAccountId };
    return build(storeClient, partition, network);
  }

  return {
    async forSignIn(record) {
      let pending: PendingCache | undefined;
      const capture: ICacheClient = {
        get: async () => '',
        set: async (partitionKey, serialized) => {
          pending = { partitionKey, serialized };
          return 'OK';
        },
      };
      const partition: IPartitionManager = {
        getKey: async () => 'sign-in',
        extractKey: async (account) => account.homeAccountId,
      };
      const network = record ? recordingNetworkClient(networkClient, { record, clock }) : networkClient;
      return { client: await build(capture, partition, network), pendingCache: () => pending };
    },
    forUser(homeAccountId) {
      return buildForUser(homeAccountId, networkClient);
    },
    async forUserCacheOnly(homeAccountId) {
      let needed = false;
      const cacheOnly: INetworkModule = {
        sendGetRequestAsync: (url, request, timeout) => networkClient.sendGetRequestAsync(url, request, timeout),
        // Only token requests are POSTs: the one thing this client must never send.
        sendPostRequestAsync: async () => {
          needed = true;
          throw new CacheOnly('token request withheld: refresh under the lock');
        },
      };
      return { client: await buildForUser(homeAccountId, cacheOnly), neededNetwork: () => needed };
    },
  };
}
