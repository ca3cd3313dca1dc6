import type { ConfidentialClientApplication } from '@azure/msal-node';
import { apiError } from '../http/api-error.ts';

export interface DirectoryUser {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
}

/** The tenant's users, read by the API itself (app-only). Throws EntrakitError (GRAPH_*) on failure. */
export interface DirectoryUsers {
  listUsers(): Promise<{ users: DirectoryUser[]; more: boolean }>;
}

export interface GraphUsersOptions {
  /** A confidential client of the API's own registration (not the one used for On-Behalf-Of). */
  msal: ConfidentialClientApplication;
  /** `https://graph.microsoft.com/v1.0`, or the emulator's `{url}/v1.0`. */
  graphBaseUrl: string;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
}

const PAGE_SIZE = 100;

/**
 * `GET /v1.0/users` with a client-credentials token for Graph: needs the application permission
 * User.Read.All (or Directory.Read.All) granted to the API with admin consent.
 */
export function createGraphUsers(options: GraphUsersOptions): DirectoryUsers {
  const { msal, graphBaseUrl } = options;
  if (typeof msal?.acquireTokenByClientCredential !== 'function') throw new TypeError('createGraphUsers: "msal" must be a ConfidentialClientApplication');
  if (typeof graphBaseUrl !== 'string' || !graphBaseUrl.startsWith('https://')) throw new TypeError('createGraphUsers: "graphBaseUrl" must be an https URL');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const graphOrigin = new URL(graphBaseUrl).origin;

  async function appToken(): Promise<string> {
    try {
      const result = await msal.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
      if (result?.accessToken) return result.accessToken;
    } catch (error) {
      const code = (error as { errorCode?: unknown }).errorCode;
      throw apiError('GRAPH_TOKEN_FAILED', `The API could not get an app-only token for Microsoft Graph (${typeof code === 'string' ? code : 'unknown error'})`, { status: 502, error: 'graph_unavailable', cause: error });
    }
    throw apiError('GRAPH_TOKEN_FAILED', 'The API could not get an app-only token for Microsoft Graph (empty response)', { status: 502, error: 'graph_unavailable' });
  }

  return {
    async listUsers() {
      const token = await appToken();
      const url = `${graphBaseUrl}/users?$select=id,displayName,userPrincipalName&$top=${PAGE_SIZE}`;
      let response: Response;
      try {
        response = await fetchImpl(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        throw apiError('GRAPH_UNREACHABLE', `Microsoft Graph at ${graphOrigin} could not be reached`, { status: 502, error: 'graph_unavailable', cause: error });
      }
      type GraphBody = { value?: unknown; error?: { code?: unknown; message?: unknown }; '@odata.nextLink'?: unknown };
      const body = (await response.json().catch(() => undefined)) as GraphBody | undefined;
      if (response.status !== 200 || !Array.isArray(body?.value)) {
        const code = typeof body?.error?.code === 'string' ? ` ${printable(body.error.code, 60)}` : '';
        const message = typeof body?.error?.message === 'string' ? `: ${printable(body.error.message, 160)}` : '';
        // An app-only token without roles is a 401 from Graph, one with other roles a 403.
        const hint = response.status === 401 || response.status === 403 ? ' (the API needs the Graph application permission User.Read.All with admin consent)' : '';
        throw apiError('GRAPH_REQUEST_FAILED', `Microsoft Graph answered HTTP ${response.status}${code}${message}${hint}`, { status: 502, error: 'graph_unavailable' });
      }
      const users = body.value.map((item) => {
        const u = item as Record<string, unknown>;
        return {
          id: String(u['id']),
          displayName: typeof u['displayName'] === 'string' ? u['displayName'] : null,
          userPrincipalName: typeof u['userPrincipalName'] === 'string' ? u['userPrincipalName'] : null,
        };
      });
      return { users, more: typeof body['@odata.nextLink'] === 'string' };
    },
  };
}

function printable(value: string, max: number): string {
  return value.replace(/[^\x20-\x7e]/g, ' ').slice(0, max);
}
