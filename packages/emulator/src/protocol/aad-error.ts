import { randomUUID } from 'node:crypto';

/** The AADSTS codes the emulator answers with, and the OAuth error each maps to. */
export const AADSTS = {
  90002: 'invalid_request', // tenant not found
  90014: 'invalid_request', // required field missing
  900144: 'invalid_request', // request body must contain parameter
  9002313: 'invalid_request', // malformed request
  90023: 'invalid_request', // body too large / unsupported
  50011: 'invalid_request', // redirect URI mismatch
  50058: 'login_required',
  50126: 'invalid_grant', // bad username or password
  54005: 'invalid_grant', // code already redeemed
  50148: 'invalid_grant', // PKCE verifier does not match (plain)
  501481: 'invalid_grant', // PKCE verifier does not match
  70000: 'invalid_grant',
  70008: 'invalid_grant', // code or refresh token expired
  700082: 'invalid_grant', // refresh token expired by inactivity
  700084: 'invalid_grant', // SPA refresh token past its fixed 24 hours
  9002327: 'invalid_request', // SPA code redeemed without Origin (not cross-origin)
  70011: 'invalid_scope',
  1002012: 'invalid_scope', // client credentials without .default
  28002: 'invalid_scope', // scope value invalid
  70003: 'unsupported_grant_type',
  700016: 'unauthorized_client', // unknown application
  7000215: 'invalid_client', // bad secret
  7000218: 'invalid_client', // no credential
  7000222: 'invalid_client', // secret expired
  700027: 'invalid_client', // client assertion invalid
  500011: 'invalid_resource',
  65001: 'invalid_grant', // consent required
  650057: 'invalid_client', // .default for a resource the registration does not list
  700025: 'invalid_client', // a public client presented a client secret or assertion
  50034: 'invalid_grant', // ROPC: no such user in the tenant
  50013: 'invalid_grant', // assertion invalid (OBO)
  50027: 'invalid_grant', // invalid JWT token (OBO)
  700024: 'invalid_grant', // assertion not within valid time range
  9002341: 'invalid_request', // user must be signed in (prompt none with no session) — unused but listed by Entra
  50105: 'invalid_grant', // user not assigned
  50076: 'interaction_required', // MFA required
  50079: 'interaction_required', // MFA required, but the user has no method registered
  500121: 'invalid_grant', // strong authentication (second factor) failed
  500113: 'invalid_request', // no reply address registered
  7000112: 'unauthorized_client', // application disabled
  700054: 'unsupported_response_type', // id_token from /authorize not enabled on the registration
  700051: 'unsupported_response_type', // token (access token) from /authorize not enabled on the registration
  9001: 'temporarily_unavailable', // injected fault
  50049: 'invalid_instance',
  9002325: 'invalid_request', // PKCE required
  501491: 'invalid_request', // unsupported code_challenge_method
  9002326: 'invalid_request', // cross-origin redemption by a client that is not a SPA
  50059: 'invalid_request', // no tenant in the request (client credentials on /common)
  50194: 'invalid_request', // single-tenant app used on /common or /organizations
  500112: 'invalid_grant', // redirect_uri at redemption differs from the one sent to /authorize
  50173: 'invalid_grant', // grant revoked (refresh-token family revoked)
  500133: 'invalid_grant', // OBO assertion not within its valid time range
  50057: 'invalid_grant', // user account disabled
  70005: 'unsupported_response_type', // response_type other than code
  65004: 'access_denied', // user declined consent
  90094: 'access_denied', // admin consent required for the requested permissions
  70016: 'authorization_pending', // device code: the user has not finished yet
  70018: 'bad_verification_code', // device code: unknown device or user code
  70019: 'expired_token', // device code: expired before the user finished
  70020: 'authorization_declined', // device code: the user declined
} as const;

export type AadstsCode = keyof typeof AADSTS;

export interface AadErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
  suberror?: string;
  claims?: string;
}

/** Entra-shaped error body: the description embeds trace, correlation ids and a UTC timestamp. */
export function aadErrorBody(code: AadstsCode, message: string, options: { now: number; publicUrl: string; error?: string; correlationId?: string; suberror?: string; claims?: string }): AadErrorBody {
  const traceId = randomUUID();
  const correlationId = options.correlationId ?? randomUUID();
  const iso = new Date(options.now).toISOString();
  const stamp = iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const body: AadErrorBody = {
    error: options.error ?? AADSTS[code],
    error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${stamp}`,
    error_codes: [code],
    timestamp: stamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${options.publicUrl}/error?code=${code}`,
  };
  if (options.suberror) body.suberror = options.suberror;
  if (options.claims) body.claims = options.claims;
  return body;
}

/** Thrown inside endpoints and grants; the app turns it into the JSON body above. */
export class AadError extends Error {
  readonly aadsts: AadstsCode;
  readonly status: number;
  readonly error: string;
  readonly suberror?: string;
  readonly claims?: string;

  constructor(aadsts: AadstsCode, message: string, options: { status?: number; error?: string; suberror?: string; claims?: string } = {}) {
    super(message);
    this.name = 'AadError';
    this.aadsts = aadsts;
    this.error = options.error ?? AADSTS[aadsts];
    this.status = options.status ?? (this.error === 'invalid_client' ? 401 : this.error === 'temporarily_unavailable' ? 503 : 400);
    if (options.suberror) this.suberror = options.suberror;
    if (options.claims) this.claims = options.claims;
  }
}
