import type { Hono } from 'hono';
import { bearerAuth } from 'entrakit/bearer';
import type { BearerAuthenticator, BearerEnv } from 'entrakit/bearer';
import { apiError } from '../http/api-error.ts';
import type { OnBehalfOfClient } from '../obo/on-behalf-of.ts';
import { API_SCOPE, STORAGE_SCOPES } from '../permissions.ts';
import type { StoryBlobs } from '../storage/story-blobs.ts';
import { decodedClaims, StoryTrace } from '../trace/story-trace.ts';
import { GUID } from 'entrakit';


/**
 * `GET /api/story`: the signed-in user's own story. The caller's token is exchanged On-Behalf-Of
 * for a Storage token, and the blob name comes only from the validated `oid`, never from input.
 * The answer carries the API's part of the trace (W3C `traceparent` continued): checks passed,
 * the exchange and the Storage token's claims, never a token.
 */
export function storyRoute(app: Hono<BearerEnv>, deps: { authenticator: BearerAuthenticator; obo: OnBehalfOfClient; blobs: StoryBlobs; clock?: () => number }): void {
  const clock = deps.clock ?? Date.now;
  app.get('/api/story', bearerAuth(deps.authenticator, { principal: 'user', scopes: [API_SCOPE] }), async (c) => {
    const principal = c.get('principal');
    const oid = principal.objectId;
    if (!GUID.test(oid)) {
      throw apiError('STORY_OWNER_INVALID', 'The token\'s "oid" is not a directory object id', { status: 403, error: 'insufficient_scope' });
    }
    const trace = new StoryTrace(c.req.header('traceparent'), clock);
    // The middleware accepted exactly one b64token after "Bearer", so this is the validated token.
    const assertion = (c.req.header('authorization') ?? '').trim().replace(/^bearer +/i, '');
    trace.validated(assertion, API_SCOPE);
    const requestedAt = trace.oboRequested(STORAGE_SCOPES);
    const token = await deps.obo.acquireToken({ assertion, tenantId: principal.tenantId, scopes: STORAGE_SCOPES, correlationId: trace.correlationId });
    trace.oboAnswered(token.accessToken, token.exchangedAt, requestedAt);
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
}
