/**
 * GET /auth/frontchannel-logout?iss=&sid=: loaded by the identity provider in a hidden iframe when
 * its session ends. Ends every session signed in with that IdP session (and the user's cached
 * tokens with their last session). A foreign iss is ignored; only the identity provider's origin
 * may frame the page.
 */
import { issuerMatches, tenantFromIssuer } from '../core/tokens/issuer.ts';
import type { WebCore } from './core.ts';
import { endSessionByReference } from './session-end.ts';

export async function frontchannelLogout(core: WebCore, request: Request): Promise<Response> {
  const query = new URL(request.url).searchParams;
  const sid = query.get('sid');
  const iss = query.get('iss');
  let ended = 0;
  let oid = '';
  if (sid && sid.length <= 256 && (iss === null || (await fromOurIssuer(core, iss)))) {
    for (const reference of await core.stores.sidSessions.list(sid)) {
      const record = await core.stores.sessions.getByReference(reference);
      if (record) oid = record.data.oid;
      if (await endSessionByReference(core, reference)) ended += 1;
      await core.stores.sidSessions.remove(sid, reference);
    }
  }
  if (ended > 0) core.events.emit('signed-out', { oid, scope: 'front-channel', sessions: ended });
  return new Response('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body>Signed out.</body></html>', {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; frame-ancestors ${new URL(core.settings.authorityHost).origin}`,
    },
  });
}

async function fromOurIssuer(core: WebCore, iss: string): Promise<boolean> {
  try {
    return issuerMatches((await core.provider.metadata()).issuer, iss, tenantFromIssuer(iss));
  } catch {
    return false;
  }
}
