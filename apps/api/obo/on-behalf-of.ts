import type { ConfidentialClientApplication } from '@azure/msal-node';
import { OboTokenCache } from './obo-token-cache.ts';
import type { OboToken } from './obo-token-cache.ts';
import { oboFailure } from './obo-error.ts';

export type { OboToken } from './obo-token-cache.ts';

export interface OnBehalfOfRequest {
  /** The caller's access token, already validated by the bearer middleware. */
  assertion: string;
  /** The caller's tenant: a multi-tenant API exchanges the token in that tenant. */
  tenantId: string;
  scopes: readonly string[];
  /** Sent as `client-request-id`, so the identity provider's log matches the caller's trace. */
  correlationId?: string;
}

/** Exchanges a caller's token for a downstream token; throws EntrakitError (OBO_*) on failure. */
export interface OnBehalfOfClient {
  acquireToken(request: OnBehalfOfRequest): Promise<OboToken>;
}

export interface MsalOnBehalfOfOptions {
  msal: ConfidentialClientApplication;
  /** `{instance}/{tenant}` of the API's registration. */
  authority: string;
  /** Set when the API is multi-tenant: each caller's token is exchanged in `{instance}/{tid}`. */
  perTenantInstance?: string;
  realm?: string;
  clock?: () => number;
  /** Distinct assertions whose downstream tokens are kept. Default 1000. */
  maxEntries?: number;
}

/**
 * On-Behalf-Of through MSAL Node, cached per assertion in a bounded LRU. MSAL's own cache would
 * grow with every assertion ever seen, so it is skipped and emptied after each exchange.
 */
export function createMsalOnBehalfOfClient(options: MsalOnBehalfOfOptions): OnBehalfOfClient {
  const { msal, authority } = options;
  if (typeof msal?.acquireTokenOnBehalfOf !== 'function') throw new TypeError('createMsalOnBehalfOfClient: "msal" must be a ConfidentialClientApplication');
  if (typeof authority !== 'string' || !authority.startsWith('https://')) throw new TypeError('createMsalOnBehalfOfClient: "authority" must be an https URL');
  const clock = options.clock ?? Date.now;
  const realm = options.realm ?? 'api';
  const cache = new OboTokenCache(options.maxEntries ?? 1000, clock);

  async function exchange(request: OnBehalfOfRequest): Promise<OboToken> {
    const requestAuthority = options.perTenantInstance ? `${options.perTenantInstance}/${request.tenantId}` : authority;
    try {
      const result = await msal.acquireTokenOnBehalfOf({
        oboAssertion: request.assertion,
        scopes: [...request.scopes],
        authority: requestAuthority,
        skipCache: true,
        ...(request.correlationId ? { correlationId: request.correlationId } : {}),
      });
      if (!result?.accessToken) throw Object.assign(new Error('empty token response'), { errorCode: 'empty_response' });
      const expiresOnTimestamp = result.expiresOn ? result.expiresOn.getTime() : clock() + 60_000;
      return { accessToken: result.accessToken, expiresOnTimestamp, exchangedAt: clock() };
    } catch (error) {
      throw oboFailure(error, { realm, authority: requestAuthority });
    } finally {
      msal.clearCache();
    }
  }

  return {
    acquireToken(request) {
      return cache.getOrAcquire(OboTokenCache.keyFor(request.assertion, request.scopes), () => exchange(request));
    },
  };
}
