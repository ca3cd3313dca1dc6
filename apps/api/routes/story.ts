import type { Context, Hono } from 'hono';
import type { BearerAuthenticator } from 'entrakit/bearer';
import { bearerAuth } from 'entrakit/bearer/hono';
import type { BearerEnv } from 'entrakit/bearer/hono';
import { apiError } from '../http/api-error.ts';
import type { OboToken, OnBehalfOfClient } from '../obo/on-behalf-of.ts';
import { API_SCOPE, STORAGE_SCOPES } from '../permissions.ts';
import type { StoryBlobs } from '../storage/story-blobs.ts';
import { decodedClaims, StoryTrace } from '../trace/story-trace.ts';
import { GUID } from 'entrakit';

/** The authentication context deleting a story demands (the demo tenant's c1: multi-factor). */
export const DELETE_STORY_AUTH_CONTEXT = 'c1';

/**
 * `GET /api/story`: the signed-in user's own story. The caller's token is exchanged On-Behalf-Of
 * for a Storage token, and the blob name comes only from the validated `oid`, never from input.
 * The answer carries the API's part of the trace (W3C `traceparent` continued): checks passed,
 * the exchange and the Storage token's claims, never a token.
 */
export function storyRoute(app: Hono<BearerEnv>, deps: { authenticator: BearerAuthenticator; obo: OnBehalfOfClient; blobs: StoryBlobs; clock?: () => number }): void {
  const clock = deps.clock ?? Date.now;

  /** The caller's oid and a Storage token On-Behalf-Of them, each step recorded in the trace. */
  const storageAccess = async (c: Context<BearerEnv>, trace: StoryTrace): Promise<{ oid: string; token: OboToken }> => {
    const principal = c.get('principal');
    const oid = principal.objectId;
    if (!GUID.test(oid)) {
      throw apiError('STORY_OWNER_INVALID', 'The token\'s "oid" is not a directory object id', { status: 403, error: 'insufficient_scope' });
    }
    // The middleware accepted exactly one b64token after "Bearer", so this is the validated token.
    const assertion = (c.req.header('authorization') ?? '').trim().replace(/^bearer +/i, '');
    trace.validated(assertion, API_SCOPE);
    const requestedAt = trace.oboRequested(STORAGE_SCOPES);
    const token = await deps.obo.acquireToken({ assertion, tenantId: principal.tenantId, scopes: STORAGE_SCOPES, correlationId: trace.correlationId });
    trace.oboAnswered(token.accessToken, token.exchangedAt, requestedAt);
    return { oid, token };
  };

  app.get('/api/story', bearerAuth(deps.authenticator, { principal: 'user', scopes: [API_SCOPE] }), async (c) => {
    const trace = new StoryTrace(c.req.header('traceparent'), clock);
    const { oid, token } = await storageAccess(c, trace);
    const readAt = clock();
    const story = await deps.blobs.readStory(oid, token);
    trace.storageRead(`/${oid}.md`, story !== null, story === null ? 0 : Buffer.byteLength(story), readAt);
    c.header('Cache-Control', 'no-store');
    const traced = { trace: trace.toJSON(), storageTokenClaims: decodedClaims(token.accessToken) };
    if (story === null) {
      return c.json({ error: 'story_not_found', error_description: 'There is no story for this user yet', ...traced }, 404);
    }
    return c.json({ oid, story, ...traced });
  });

  /**
   * `DELETE /api/story`: deletes the caller's story. A destructive action: the token must carry
   * `acrs` c1 (a sign-in with a second factor), else 401 with Entra's insufficient_claims challenge
   * that tells the client which claims to ask for. 200 `{oid, deleted: true}`, or 404 when there was none.
   */
  app.delete('/api/story', bearerAuth(deps.authenticator, { principal: 'user', scopes: [API_SCOPE], authContext: DELETE_STORY_AUTH_CONTEXT }), async (c) => {
    const trace = new StoryTrace(c.req.header('traceparent'), clock);
    const { oid, token } = await storageAccess(c, trace);
    const deleted = await deps.blobs.deleteStory(oid, token);
    c.header('Cache-Control', 'no-store');
    if (!deleted) return c.json({ error: 'story_not_found', error_description: 'There is no story for this user' }, 404);
    return c.json({ oid, deleted: true });
  });
}
