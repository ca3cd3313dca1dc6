/**
 * What kind of Entra token a decoded JWT is, for display (never for authorization: only a full
 * validation for a known audience says what a token may do).
 */
export interface TokenKindInfo {
  kind: 'id' | 'access' | 'app-only';
  version: '1.0' | '2.0' | null;
  /** A Microsoft Graph token: only Graph can validate it (its header nonce is hashed before verification). */
  graph: boolean;
  label: string;
}

const GRAPH_AUDIENCES = new Set(['https://graph.microsoft.com', 'https://graph.microsoft.com/', '00000003-0000-0000-c000-000000000000']);

export function tokenKind(header: Record<string, unknown>, payload: Record<string, unknown>): TokenKindInfo {
  const version = payload['ver'] === '1.0' || payload['ver'] === '2.0' ? payload['ver'] : null;
  const graph = GRAPH_AUDIENCES.has(String(payload['aud'])) || 'nonce' in header;
  // Access tokens always name the calling app (azp in v2, appid in v1); ID tokens never do.
  const isAccess = payload['azp'] !== undefined || payload['appid'] !== undefined || payload['scp'] !== undefined || payload['roles'] !== undefined;
  if (!isAccess) return { kind: 'id', version, graph: false, label: `ID token${version ? ` (v${version})` : ''}: proves who signed in, to the app named in aud` };
  const appOnly = payload['scp'] === undefined && (payload['idtyp'] === 'app' || (payload['oid'] !== undefined && payload['oid'] === payload['sub']));
  const v = version ? ` v${version}` : '';
  if (graph) return { kind: appOnly ? 'app-only' : 'access', version, graph, label: `Microsoft Graph${appOnly ? ' app-only' : ''} access token${v}: only Graph can validate it` };
  return appOnly
    ? { kind: 'app-only', version, graph, label: `App-only access token${v} (client credentials): no user; roles say what the app may do` }
    : { kind: 'access', version, graph, label: `Delegated access token${v}: the app acting for a user; scp says what it may do` };
}
