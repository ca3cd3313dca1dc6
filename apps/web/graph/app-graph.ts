/**
 * Microsoft Graph as the web app itself (app-only): a client-credentials token for
 * `https://graph.microsoft.com/.default`, then GETs that follow every `@odata.nextLink`.
 * Application permissions (GroupMember.Read.All, Application.Read.All) with admin consent decide
 * what Graph answers; no user is involved, so the token is shared by all requests and MSAL caches it.
 */
import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import { EntrakitError, isMicrosoftLoginHost } from 'entrakit';
import { createFetchNetworkClient } from 'entrakit/web';
import type { WebDeps } from '../context.ts';
import { msalCredential } from '../../shared/client-credential.ts';

/** A collection page as Graph sends it. */
export interface GraphPage {
  value: Array<Record<string, unknown>>;
  '@odata.nextLink'?: string;
}

export interface AppGraph {
  /** The Graph base URL, e.g. https://graph.microsoft.com/v1.0 (or the emulator's). */
  baseUrl(): Promise<string>;
  /** Every item of a collection (path relative to the base URL), following each nextLink; also returns the page count. */
  getAll(path: string): Promise<{ items: Array<Record<string, unknown>>; pages: number }>;
}

/** Graph collections are paged; this bounds a runaway loop (1000 pages of up to 999 items). */
const MAX_PAGES = 1000;
const TIMEOUT_MS = 10_000;

export function createAppGraph(deps: Pick<WebDeps, 'config' | 'provider' | 'fetch' | 'logger'>): AppGraph {
  const { config, provider } = deps;
  let client: Promise<ConfidentialClientApplication> | undefined;

  async function build(): Promise<ConfidentialClientApplication> {
    const host = new URL(config.instance).host;
    const credential = msalCredential(config.credential);
    return new ConfidentialClientApplication({
      auth: {
        clientId: config.clientId,
        authority: config.authority,
        ...credential,
        authorityMetadata: JSON.stringify(await provider.metadata()),
        ...(isMicrosoftLoginHost(host) ? {} : { knownAuthorities: [host] }),
      },
      system: {
        networkClient: createFetchNetworkClient(deps.fetch),
        loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Warning, loggerCallback: (_level, message) => deps.logger.debug({ msal: message }, 'msal') },
      },
    });
  }

  async function appToken(): Promise<string> {
    client ??= build().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    try {
      const result = await (await client).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
      if (result?.accessToken) return result.accessToken;
    } catch (error) {
      const code = (error as { errorCode?: unknown }).errorCode;
      throw new EntrakitError('GRAPH_TOKEN_FAILED', `The web app could not get an app-only token for Microsoft Graph (${typeof code === 'string' ? code : 'unknown error'})`, { status: 502, cause: error });
    }
    throw new EntrakitError('GRAPH_TOKEN_FAILED', 'The web app could not get an app-only token for Microsoft Graph (empty response)', { status: 502 });
  }

  async function send(url: string, token: string): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await deps.fetch(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (cause) {
      throw new EntrakitError('GRAPH_UNREACHABLE', `Microsoft Graph at ${new URL(url).origin} could not be reached`, { status: 502, cause });
    }
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!response.ok || !body) {
      const graphError = body?.['error'] as { code?: unknown; message?: unknown } | undefined;
      const graphCode = typeof graphError?.code === 'string' ? graphError.code.slice(0, 80) : undefined;
      throw new EntrakitError('GRAPH_REQUEST_FAILED', `Microsoft Graph answered HTTP ${response.status}${graphCode ? ` ${graphCode}` : ''} to ${new URL(url).pathname}`, {
        status: 502,
        details: { status: response.status, graphCode },
      });
    }
    return body;
  }

  return {
    baseUrl: () => provider.graphBaseUrl(),
    async getAll(path) {
      const base = await provider.graphBaseUrl();
      const origin = new URL(base).origin;
      const token = await appToken();
      const items: Array<Record<string, unknown>> = [];
      let url: string | undefined = `${base}${path}`;
      let pages = 0;
      while (url !== undefined) {
        // The bearer token only ever goes to Graph's own origin, whatever a nextLink says.
        if (new URL(url).origin !== origin) throw new EntrakitError('GRAPH_REQUEST_FAILED', `Microsoft Graph sent a nextLink to another origin (${new URL(url).origin})`, { status: 502 });
        if (++pages > MAX_PAGES) throw new EntrakitError('GRAPH_REQUEST_FAILED', `Microsoft Graph sent more than ${MAX_PAGES} pages for ${path.split('?')[0]}`, { status: 502 });
        const page = (await send(url, token)) as Partial<GraphPage>;
        if (!Array.isArray(page.value)) throw new EntrakitError('GRAPH_REQUEST_FAILED', `Microsoft Graph answered ${path.split('?')[0]} without a value array`, { status: 502 });
        items.push(...page.value);
        url = typeof page['@odata.nextLink'] === 'string' ? page['@odata.nextLink'] : undefined;
      }
      return { items, pages };
    },
  };
}
