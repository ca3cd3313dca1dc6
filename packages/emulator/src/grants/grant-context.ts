import type { EmulatorDeps } from '../deps.ts';
import type { Authority } from '../protocol/tenant.ts';
import type { TokenForm } from './token-form.ts';
import type { RefreshTokenReuse } from './refresh-token-store.ts';

export type TokenDeps = Pick<EmulatorDeps, 'directory' | 'keys' | 'state' | 'clock' | 'publicUrl'>;

export interface TokenEndpointOptions {
  refreshTokenReuse: RefreshTokenReuse;
  /** 'reject': a client assertion's jti is single use. 'allow': Entra/MSAL behaviour (MSAL reuses an assertion ~10 min). */
  assertionReplay: 'reject' | 'allow';
}

/** Everything a grant handler needs for one token request. */
export interface GrantContext {
  deps: TokenDeps;
  form: TokenForm;
  /** The Authorization header (client_secret_basic), if any. */
  authorization: string | undefined;
  authority: Authority;
  /** This request's token endpoint URL: the `aud` client assertions must carry. */
  tokenEndpoint: string;
  options: TokenEndpointOptions;
}

export type TokenResponseBody = Record<string, string | number>;

export type GrantHandler = (context: GrantContext) => Promise<TokenResponseBody>;
