import { EntrakitError } from 'entrakit';
import type { WebContext, WebDeps } from '../context.ts';
import { userGraph } from '../graph/user-graph.ts';

export interface GraphMe {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
  mail: string | null;
  jobTitle: string | null;
}

const SELECT = 'id,displayName,userPrincipalName,mail,jobTitle';

/** GET /v1.0/me as the signed-in user; an answer without the user is GRAPH_REQUEST_FAILED (502). */
export async function fetchGraphMe(deps: Pick<WebDeps, 'entra'>, c: WebContext): Promise<GraphMe> {
  const response = await userGraph(deps, c, `/me?$select=${SELECT}`);
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!response.ok || !body || typeof body['id'] !== 'string') {
    const graphError = body?.['error'] as { code?: unknown } | undefined;
    throw new EntrakitError('GRAPH_REQUEST_FAILED', `Microsoft Graph answered HTTP ${response.status}`, {
      status: 502,
      details: { status: response.status, graphCode: typeof graphError?.code === 'string' ? graphError.code : undefined },
    });
  }
  const text = (name: string): string | null => (typeof body[name] === 'string' ? (body[name] as string) : null);
  return { id: body['id'], displayName: text('displayName'), userPrincipalName: text('userPrincipalName'), mail: text('mail'), jobTitle: text('jobTitle') };
}
