import type { TraceStep } from '../../shared/trace.ts';
import type { WebDeps } from '../context.ts';
import type { IdpLogEntry } from '../idp/identity-provider-log.ts';
import { identityProviderLogFor } from '../idp/session-facts.ts';

/**
 * The sign-in trace's hops at the identity provider, between the browser's GET /authorize and the
 * redirect back: the sign-in page and the password post when a password was asked, or the SSO
 * session answering at once. They come from what the identity provider recorded for this sign-in's
 * client-request-id (the emulator's request log, as the Sessions page reads it); Entra ID's sign-in
 * logs are not readable by the app, so against Entra there are none.
 */
export async function identityProviderSteps(deps: Pick<WebDeps, 'config' | 'fetch'>, correlationId: string): Promise<TraceStep[]> {
  const lookup = await identityProviderLogFor(deps).lookup(correlationId);
  if (!lookup.available) return [];
  // The log lists newest first; the trace reads in order.
  return [...lookup.entries].reverse().flatMap(stepFor);
}

export function stepFor(entry: IdpLogEntry): TraceStep[] {
  const at = entry.time ? Date.parse(entry.time) : 0;
  const notes = entry.why.slice(0, 3);
  const status = typeof entry.status === 'number' ? { status: entry.status } : {};
  const aadsts = entry.aadsts === null ? [] : [{ name: 'error', value: `AADSTS${entry.aadsts}` }];
  const page = (title: string): TraceStep => ({ at, from: 'idp', to: 'browser', title, ...status, fields: aadsts, notes });
  switch (entry.endpoint) {
    case 'authorize':
      if (entry.outcome === 'interaction') return [page('200 sign-in page (GET form)')];
      if (entry.outcome === 'success') return [{ at, from: 'idp', to: 'idp', title: 'SSO session: no sign-in page', fields: [], notes }];
      return [page('error page')];
    case 'login': {
      const codePosted = entry.why.some((why) => /second factor (verified|locked)|OathCode/i.test(why));
      const post: TraceStep = { at, from: 'browser', to: 'idp', title: `POST ${codePosted ? 'second-factor code' : 'password'}`, method: entry.method ?? 'POST', ...status, fields: aadsts, notes };
      if (entry.outcome !== 'interaction') return [post];
      // A page after the post: the second factor's code page, or the same form again after a mistake.
      const next = entry.why.some((why) => /code page is shown/i.test(why)) ? 'second-factor page' : entry.aadsts !== null ? `${codePosted ? 'code' : 'sign-in'} page again` : 'next page';
      return [post, page(`200 ${next}`)];
    }
    case 'consent':
      return [{ at, from: 'browser', to: 'idp', title: 'POST consent', method: entry.method ?? 'POST', ...status, fields: aadsts, notes }];
    default:
      // Token and Graph calls appear as the app's own steps.
      return [];
  }
}
