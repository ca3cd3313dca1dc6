import type { EmulatorDeps } from '../deps.ts';
import type { Authority } from '../protocol/tenant.ts';
import type { TokenForm } from './token-form.ts';
import type { EmulatorSwitches } from '../protocol/switches.ts';

export type TokenDeps = Pick<EmulatorDeps, 'directory' | 'keys' | 'state' | 'clock' | 'publicUrl'>;

export type TokenEndpointOptions = EmulatorSwitches;

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
  /** The request's Origin header: browsers send it on cross-origin (SPA) redemptions. */
  origin: string | undefined;
}

export type TokenResponseBody = Record<string, string | number>;

export type GrantHandler = (context: GrantContext) => Promise<TokenResponseBody>;
