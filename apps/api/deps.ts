import { createBearerAuthenticator } from 'entrakit/bearer';
import type { ApiAppDeps } from './app.ts';
import { isMultiTenant } from './config.ts';
import type { ApiConfig } from './config.ts';
import { createGraphUsers } from './graph/graph-users.ts';
import { createConfidentialClient } from './msal/confidential-client.ts';
import { createMsalOnBehalfOfClient } from './obo/on-behalf-of.ts';
import { API_REALM, bearerPolicyFromConfig } from './policy.ts';
import { createStoryBlobs } from './storage/story-blobs.ts';

export interface ApiDepsOptions {
  fetch?: typeof globalThis.fetch;
  clock?: () => number;
}

/** The real dependencies of the API app for a configuration: Entra, MSAL, Blob Storage, Graph. */
export async function createApiDeps(config: ApiConfig, options: ApiDepsOptions = {}): Promise<ApiAppDeps> {
  const clock = options.clock ?? Date.now;
  const authenticator = createBearerAuthenticator(bearerPolicyFromConfig(config), {
    clock,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  // Two MSAL clients: the On-Behalf-Of one empties its cache after every exchange.
  const obo = createMsalOnBehalfOfClient({
    msal: await createConfidentialClient(config),
    authority: config.authority,
    realm: API_REALM,
    clock,
    ...(isMultiTenant(config) ? { perTenantInstance: config.instance } : {}),
  });
  const blobs = createStoryBlobs({ container: config.storage.container, ...(config.storage.blobUrl ? { blobUrl: config.storage.blobUrl } : {}) });
  const users = createGraphUsers({
    msal: await createConfidentialClient(config),
    graphBaseUrl: config.graphBaseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return { authenticator, obo, blobs, users, clock };
}
