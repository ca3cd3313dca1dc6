import type { Hono } from 'hono';
import { bearerAuth } from 'entrakit/bearer';
import type { BearerAuthenticator, BearerEnv } from 'entrakit/bearer';
import { apiError } from '../http/api-error.ts';
import type { OnBehalfOfClient } from '../obo/on-behalf-of.ts';
import { API_SCOPE, STORAGE_SCOPES } from '../permissions.ts';
import type { StoryBlobs } from '../storage/story-blobs.ts';
import { GUID } from 'entrakit';


/**
 * `GET /api/story`: the signed-in user's own story. The caller's token is exchanged On-Behalf-Of
 * for a Storage token, and the blob name comes only from the validated `oid`, never from input.
 */
export function storyRoute(app: Hono<BearerEnv>, deps: { authenticator: BearerAuthenticator; obo: OnBehalfOfClient; blobs: StoryBlobs }): void {
  app.get('/api/story', bearerAuth(deps.authenticator, { principal: 'user', scopes: [API_SCOPE] }), async (c) => {
    const principal = c.get('principal');
    const oid = principal.objectId;
    if (!GUID.test(oid)) {
      throw apiError('STORY_OWNER_INVALID', 'The token\'s "oid" is not a directory object id', { status: 403, error: 'insufficient_scope' });
    }
    // The middleware accepted exactly one b64token after "Bearer", so this is the validated token.
    const assertion = (c.req.header('authorization') ?? '').trim().replace(/^bearer +/i, '');
    const token = await deps.obo.acquireToken({ assertion, tenantId: principal.tenantId, scopes: STORAGE_SCOPES });
    const story = await deps.blobs.readStory(oid, token);
    c.header('Cache-Control', 'no-store');
    if (story === null) {
      return c.json({ error: 'story_not_found', error_description: 'There is no story for this user yet' }, 404);
    }
    return c.json({ oid, story });
  });
}
