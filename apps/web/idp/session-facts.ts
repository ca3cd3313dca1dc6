/** What /sessions and the home page show about the two sessions (never a session id or a token). */
import { isMicrosoftLoginHost } from 'entrakit';
import type { LoadedSession, WebDeps } from '../context.ts';
import { emulatorIdentityProviderLog, entraIdentityProviderLog } from './identity-provider-log.ts';
import type { IdentityProviderLog, IdpLogLookup } from './identity-provider-log.ts';
import { storedVerdict } from './sign-in-verdict.ts';
import type { SignInVerdict } from './sign-in-verdict.ts';

export interface AppSessionFacts {
  cookieName: string;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  tokenCache: string;
}

export interface IdpSessionFacts {
  provider: 'emulator' | 'entra';
  host: string;
  verdict: SignInVerdict | undefined;
  log: IdpLogLookup | undefined;
  /** From the session's ID token: when it was issued and how the user authenticated, if it says. */
  idToken: { iat: number | null; amr: string[] | null } | undefined;
}

const logs = new WeakMap<object, IdentityProviderLog>();

/** One log client per app (its configuration), made on first use. */
export function identityProviderLogFor(deps: Pick<WebDeps, 'config' | 'fetch'>): IdentityProviderLog {
  let log = logs.get(deps.config);
  if (!log) {
    log = isMicrosoftLoginHost(new URL(deps.config.instance).hostname)
      ? entraIdentityProviderLog()
      : emulatorIdentityProviderLog({ instance: deps.config.instance, dataDir: deps.config.dataDir, fetch: deps.fetch });
    logs.set(deps.config, log);
  }
  return log;
}

export function appSessionFacts(deps: Pick<WebDeps, 'config' | 'sessionCookie'>, session: LoadedSession): AppSessionFacts {
  const scheme = deps.config.storeUrl.split(':')[0] ?? 'store';
  return {
    cookieName: deps.sessionCookie,
    createdAt: session.createdAt,
    lastSeenAt: session.lastSeenAt,
    idleExpiresAt: session.idleExpiresAt,
    absoluteExpiresAt: session.absoluteExpiresAt,
    tokenCache: `MSAL's token cache, encrypted, one partition for your account, in the ${scheme} store (${scheme === 'redis' ? 'shared by every instance' : 'this server'})`,
  };
}

export async function idpSessionFacts(deps: Pick<WebDeps, 'config' | 'fetch' | 'stores'>, session: LoadedSession | undefined, withLog: boolean): Promise<IdpSessionFacts> {
  const log = identityProviderLogFor(deps);
  const correlationId = session?.data.correlationId;
  return {
    provider: log.kind,
    host: new URL(deps.config.instance).host,
    verdict: correlationId ? await storedVerdict(deps, correlationId) : undefined,
    log: correlationId && withLog ? await log.lookup(correlationId) : undefined,
    idToken: session
      ? {
          iat: typeof session.data.idToken.claims['iat'] === 'number' ? session.data.idToken.claims['iat'] : null,
          amr: Array.isArray(session.data.idToken.claims['amr']) ? session.data.idToken.claims['amr'].map(String) : null,
        }
      : undefined,
  };
}
