import type { Context } from 'hono';
import type { IdentityProvider } from 'entrakit/web';
import type { WebConfig } from './config.ts';
import type { AppLogger } from '../shared/logger.ts';
import type { CookiePolicy } from './middleware/cookies.ts';
import type { MsalClients } from './msal/msal-clients.ts';
import type { WebSessionData, WebStores } from './stores.ts';

/** What routes may use; each route takes this explicitly (no globals). */
export interface WebDeps {
  config: WebConfig;
  stores: WebStores;
  fetch: typeof fetch;
  clock: () => number;
  /** Waits between retries of throttled calls. */
  sleep: (ms: number) => Promise<void>;
  logger: AppLogger;
  provider: IdentityProvider;
  msal: MsalClients;
  cookies: CookiePolicy;
}

export interface LoadedSession {
  id: string;
  data: WebSessionData;
  createdAt: number;
  lastSeenAt: number;
}

export type AppEnv = {
  Variables: {
    /** Per-response CSP nonce for the inline stylesheet. */
    cspNonce: string;
    /** Set by routes that may be framed (front-channel logout); default 'none'. */
    frameAncestors: string;
    session: LoadedSession | undefined;
  };
};

export type WebContext = Context<AppEnv>;
