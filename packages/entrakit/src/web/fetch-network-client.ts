import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { EntrakitError } from '../core/errors.ts';

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * MSAL's network interface over an injected fetch, so the app's one fetch (and its trust store)
 * serves discovery, MSAL and Graph alike, and tests can see every call.
 */
export function createFetchNetworkClient(fetchImpl: typeof fetch, options: { timeoutMs?: number } = {}): INetworkModule {
  if (typeof fetchImpl !== 'function') throw new TypeError('createFetchNetworkClient: "fetch" must be a function');
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(defaultTimeoutMs) || defaultTimeoutMs <= 0) throw new TypeError('createFetchNetworkClient: "timeoutMs" must be a positive integer');

  async function send<T>(method: 'GET' | 'POST', url: string, options: NetworkRequestOptions | undefined, timeout?: number): Promise<NetworkResponse<T>> {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers: options?.headers ?? {},
        ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeout ?? defaultTimeoutMs),
      });
    } catch (cause) {
      // A timeout is told apart (details.timeout): the request may have been answered, too late.
      const timeout = (cause as Error)?.name === 'TimeoutError';
      throw new EntrakitError('IDP_UNREACHABLE', `The identity provider at ${new URL(url).origin} ${timeout ? 'did not answer in time' : 'could not be reached'}`, { cause, ...(timeout ? { details: { timeout } } : {}) });
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    let body: T;
    try {
      body = (await response.json()) as T;
    } catch (cause) {
      throw new EntrakitError('IDP_RESPONSE_INVALID', `The identity provider answered HTTP ${response.status} without JSON`, { cause });
    }
    return { headers, body, status: response.status };
  }

  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}
