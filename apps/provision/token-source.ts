/** Where `entrakit provision` gets its delegated Graph token (an administrator's). */
export interface TokenSource {
  /** Who or what signs in, for the progress output (never the token). */
  readonly description: string;
  /** A Graph access token; the first call may sign in, later calls reuse or refresh it. */
  token(): Promise<string>;
}

/** The Azure CLI's public client id: preauthorized for Graph's admin permissions in every tenant. */
export const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

/** Signs in once, then hands out the same token until five minutes before it expires. */
export function cachedTokenSource(description: string, acquire: () => Promise<{ accessToken: string; expiresOn: Date | null }>): TokenSource {
  let current: { accessToken: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  return {
    description,
    async token() {
      if (current && current.expiresAt - Date.now() > 5 * 60_000) return current.accessToken;
      pending ??= acquire()
        .then((result) => {
          current = { accessToken: result.accessToken, expiresAt: result.expiresOn?.getTime() ?? Date.now() + 3_600_000 };
          return result.accessToken;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
  };
}
