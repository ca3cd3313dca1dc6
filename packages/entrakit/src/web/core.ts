/**
 * What every route of createWebAuth shares: the settings, the stores, the MSAL clients, the
 * identity provider's metadata, the cookie policy and the event hub.
 */
import type { CookiePolicy } from './cookies.ts';
import type { EventHub } from './events.ts';
import type { IdentityProvider } from './identity-provider.ts';
import type { MsalClients } from './msal-clients.ts';
import type { WebAuthSettings } from './settings.ts';
import type { SignInTransactions } from './sign-in-transaction.ts';
import type { SessionData, WebStores } from './web-stores.ts';

export interface WebCore {
  settings: WebAuthSettings;
  stores: WebStores;
  transactions: SignInTransactions;
  msal: MsalClients;
  provider: IdentityProvider;
  events: EventHub;
  cookies: CookiePolicy;
  sessionCookie: string;
}

/** A live session: its id (the cookie value, never stored) and its data. */
export interface LoadedSession {
  id: string;
  data: SessionData;
  /** When the session began (sign-in) and when it was last used before this request, epoch ms. */
  createdAt: number;
  lastSeenAt: number;
}

/** The routes createWebAuth answers besides the callback, relative to the app's origin. */
export interface AuthRoutes {
  signIn: string;
  signOut: string;
  signOutEverywhere: string;
  frontchannelLogout: string;
}

/** Their default paths (the `routes` option changes them). */
export const AUTH_ROUTES: AuthRoutes = {
  signIn: '/auth/sign-in',
  signOut: '/auth/sign-out',
  signOutEverywhere: '/auth/sign-out-everywhere',
  frontchannelLogout: '/auth/frontchannel-logout',
};

export function redirect(location: string, setCookie: string[] = [], status = 302): Response {
  const headers = new Headers({ location, 'cache-control': 'no-store' });
  for (const line of setCookie) headers.append('set-cookie', line);
  return new Response(null, { status, headers });
}
