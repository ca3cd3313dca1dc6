import type { Hono } from 'hono';
import { html } from 'hono/html';
import { issuerMatches, tenantFromIssuer } from 'entrakit';
import { endSessionByReference } from '../auth/end-session.ts';
import type { AppEnv, WebDeps } from '../context.ts';

/**
 * GET /auth/frontchannel-logout?iss=&sid=: loaded by the identity provider in a hidden iframe when
 * its session ends. Destroys every app session signed in with that IdP session (and the user's
 * cached tokens when no other session of theirs remains). A missing sid is tolerated (nothing to match); a foreign iss is ignored. Only the
 * identity provider's origin may frame this page.
 */
export function frontchannelLogoutRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  const idpOrigin = new URL(deps.config.instance).origin;
  app.get('/auth/frontchannel-logout', async function frontchannelLogout(c) {
    c.set('frameAncestors', idpOrigin);
    const sid = c.req.query('sid');
    const iss = c.req.query('iss');
    let ended = 0;
    if (sid && (iss === undefined || (await fromOurIssuer(deps, iss)))) {
      for (const reference of await deps.stores.sidIndex.take(sid)) {
        if (await endSessionByReference(deps, reference)) ended += 1;
      }
    }
    deps.logger.info({ event: 'sign-out.frontchannel', sidPresent: Boolean(sid), ended }, 'front-channel logout');
    return c.html(html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body>Signed out of entrakit web.</body></html>`);
  });
}

async function fromOurIssuer(deps: WebDeps, iss: string): Promise<boolean> {
  try {
    return issuerMatches((await deps.provider.metadata()).issuer, iss, tenantFromIssuer(iss));
  } catch {
    return false;
  }
}
