import { redactFields, redactUrl } from './redact.ts';
import type { TraceStep } from './types.ts';

/*
 * MSAL's network client interface (INetworkModule), restated by shape: only entrakit/web imports
 * @azure/msal-node, so bearer-only users need not install it. MSAL's own objects fit these types.
 */
interface NetworkRequestOptions {
  headers?: Record<string, string>;
  body?: string;
}
interface NetworkResponse<T> {
  headers: Record<string, string>;
  body: T;
  status: number;
}
export interface INetworkModule {
  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>>;
  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>>;
}

export interface RecordingOptions {
  /** Receives each exchange as two redacted steps (request, then response). */
  record: (step: TraceStep) => void;
  clock: () => number;
}

/**
 * Wraps MSAL's network client (`system.networkClient`) so the app can show what MSAL sent to the
 * identity provider and what came back. Only redacted copies leave this function.
 */
export function recordingNetworkClient(inner: INetworkModule, options: RecordingOptions): INetworkModule {
  if (typeof options?.record !== 'function') throw new TypeError('recordingNetworkClient: "record" must be a function');
  if (typeof options.clock !== 'function') throw new TypeError('recordingNetworkClient: "clock" must be a function');
  const { record, clock } = options;

  function recordRequest(method: string, url: string, body: string | undefined): void {
    const path = URL.canParse(url) ? new URL(url).pathname : url;
    record({
      at: clock(),
      from: 'app',
      to: 'idp',
      title: `${method} ${shortPath(path)}`,
      method,
      url: redactUrl(url),
      fields: body ? redactFields(new URLSearchParams(body).entries()) : [],
      notes: [],
    });
  }

  function recordResponse<T>(method: string, url: string, response: NetworkResponse<T>): void {
    const path = URL.canParse(url) ? new URL(url).pathname : url;
    const body = response.body;
    const entries = typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.entries(body as Record<string, unknown>) : [];
    record({
      at: clock(),
      from: 'idp',
      to: 'app',
      title: `${response.status} from ${shortPath(path)}`,
      method,
      status: response.status,
      fields: redactFields(entries),
      notes: [],
    });
  }

  return {
    async sendGetRequestAsync<T>(url: string, requestOptions?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
      recordRequest('GET', url, undefined);
      const response = await inner.sendGetRequestAsync<T>(url, requestOptions, timeout);
      recordResponse('GET', url, response);
      return response;
    },
    async sendPostRequestAsync<T>(url: string, requestOptions?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
      recordRequest('POST', url, requestOptions?.body);
      const response = await inner.sendPostRequestAsync<T>(url, requestOptions);
      recordResponse('POST', url, response);
      return response;
    },
  };
}

/** `/tenant/oauth2/v2.0/token` → `/token`: the diagram has little room. */
function shortPath(path: string): string {
  const last = path.split('/').filter(Boolean).at(-1);
  return last ? `/${last}` : path;
}
