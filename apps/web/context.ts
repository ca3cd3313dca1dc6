import type { Context } from 'hono';
import type { JsonObject } from 'entrakit/store';
import type { CreatedWebAuth, IdentityProvider } from 'entrakit/web';
import type { WebConfig } from './config.ts';
import type { AppLogger } from '../shared/logger.ts';
import type { WebStores } from './stores.ts';

/** What routes may use; each route takes this explicitly (no globals). */
export interface WebDeps {
  config: WebConfig;
  stores: WebStores;
  /** Sign-in, sessions, tokens and sign-out: entrakit/web. */
  entra: CreatedWebAuth;
  /** For the app's own calls (the API, the identity provider's log, app-only Graph). */
  fetch: typeof fetch;
  clock: () => number;
  logger: AppLogger;
  /** The app's view of the identity provider (discovery, Graph's host), for the app-only pages. */
  provider: IdentityProvider;
  /** The session cookie's name, as the Sessions page names it. */
  sessionCookie: string;
}

/** What onSignIn keeps in the session (entra.user(c).app): the learning pages' facts of this sign-in. */
export interface SignInFacts {
  signInCount: number;
  changedClaims: string[];
  correlationId: string;
  /** MSAL's account id (uid.utid): tells this user's token refreshes among the library's events. */
  homeAccountId: string;
  /** The sign-in's trace, in the app's trace store. */
  traceId: string;
  /** The validated ID token's JOSE header and what the validator checked. */
  header: JsonObject;
  checks: Array<{ name: string; detail: string }>;
}

/** What the pages read of the signed-in user, built per request from entra.user / session / csrfToken. */
export interface SessionView {
  /** MSAL's account id (uid.utid), as onSignIn kept it. */
  homeAccountId: string;
  tid: string;
  oid: string;
  sid: string | null;
  name: string | null;
  username: string | null;
  /** Synchronizer token for the session's POST forms. */
  csrf: string;
  traceId: string;
  /** The sign-in's client-request-id, which files it in the identity provider's log. */
  correlationId: string;
  idToken: { header: JsonObject; claims: JsonObject; checks: Array<{ name: string; detail: string }> };
  signInCount: number;
  changedClaims: string[];
  /** Scopes requested at this sign-in (the story page uses it to avoid a consent loop). */
  scopes: string[];
}

export interface LoadedSession {
  data: SessionView;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
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
