/**
 * Microsoft Graph over raw REST (fetch, no SDK), with a token from a TokenSource. Each call is one
 * HTTP request; failures become PROVISION_GRAPH_FAILED naming the method, path and Graph's code.
 */
import { provisionError } from './errors.ts';
import type { TokenSource } from './token-source.ts';

export type GraphObject = Record<string, unknown>;

export interface GraphClient {
  /** Base URL, e.g. https://graph.microsoft.com/v1.0 */
  readonly baseUrl: string;
  get(path: string): Promise<GraphObject>;
  /** Every item of a collection, following `@odata.nextLink`. */
  list(path: string): Promise<GraphObject[]>;
  post(path: string, body: unknown): Promise<GraphObject | undefined>;
  patch(path: string, body: unknown): Promise<void>;
  /** Counts the requests that change something (POST/PATCH/DELETE). */
  readonly writes: number;
}

const MAX_PAGES = 200;

export function createGraphClient(options: { baseUrl: string; tokens: TokenSource; fetch?: typeof fetch; timeoutMs?: number }): GraphClient {
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  if (!/^https:\/\//.test(baseUrl)) throw new TypeError('createGraphClient: "baseUrl" must be an https URL');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const origin = new URL(baseUrl).origin;
  let writes = 0;

  async function send(method: string, url: string, body?: unknown): Promise<GraphObject | undefined> {
    // The token only ever goes to Graph's origin (nextLinks included).
    if (new URL(url).origin !== origin) throw provisionError('PROVISION_GRAPH_FAILED', `refusing to send the Graph token to ${new URL(url).origin}`);
    if (method !== 'GET') writes++;
    const token = await options.tokens.token();
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (cause) {
      throw provisionError('PROVISION_GRAPH_FAILED', `${method} ${new URL(url).pathname}: Microsoft Graph at ${origin} could not be reached`, { cause });
    }
    const text = await response.text();
    let json: GraphObject | undefined;
    try {
      json = text === '' ? undefined : (JSON.parse(text) as GraphObject);
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = json?.['error'] as { code?: unknown; message?: unknown } | undefined;
      const code = typeof error?.code === 'string' ? error.code : `HTTP ${response.status}`;
      const message = typeof error?.message === 'string' ? `: ${error.message.slice(0, 300)}` : '';
      throw provisionError('PROVISION_GRAPH_FAILED', `${method} ${new URL(url).pathname} answered ${response.status} ${code}${message}`, { details: { status: response.status, graphCode: code } });
    }
    return json;
  }

  return {
    baseUrl,
    get writes() {
      return writes;
    },
    async get(path) {
      return (await send('GET', `${baseUrl}${path}`)) ?? {};
    },
    async list(path) {
      const items: GraphObject[] = [];
      let url: string | undefined = `${baseUrl}${path}`;
      for (let page = 0; url !== undefined; page++) {
        if (page >= MAX_PAGES) throw provisionError('PROVISION_GRAPH_FAILED', `GET ${path.split('?')[0]}: more than ${MAX_PAGES} pages`);
        const body: GraphObject = (await send('GET', url)) ?? {};
        if (!Array.isArray(body['value'])) throw provisionError('PROVISION_GRAPH_FAILED', `GET ${path.split('?')[0]}: the answer has no value array`);
        items.push(...(body['value'] as GraphObject[]));
        url = typeof body['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : undefined;
      }
      return items;
    },
    post: (path, body) => send('POST', `${baseUrl}${path}`, body),
    async patch(path, body) {
      await send('PATCH', `${baseUrl}${path}`, body);
    },
  };
}

/** `$filter=name eq 'value'` with OData's quote escaping. */
export function eqFilter(name: string, value: string): string {
  return `$filter=${encodeURIComponent(`${name} eq '${value.replace(/'/g, "''")}'`)}`;
}
