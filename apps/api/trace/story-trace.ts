/**
 * The API's part of a Story call's trace, returned to the caller so the web app can show one
 * trace from the browser to Blob Storage. Only decoded claims and check results are kept: never
 * the caller's token or the Storage token.
 */
import { decodeToken } from 'entrakit';
import { formatTraceparent, newTraceparent, parseTraceparent, traceIdAsGuid } from '../../shared/trace-context.ts';
import type { TraceParent } from '../../shared/trace-context.ts';
import type { TraceStep } from '../../shared/trace.ts';

export interface ApiTrace {
  /** The traceparent the API received (or the trace it started when none came). */
  traceparent: string;
  traceId: string;
  /** Whether the caller sent a valid traceparent. */
  continued: boolean;
  steps: TraceStep[];
}

/** Claims of the Storage token worth comparing with the caller's token. */
const STORAGE_CLAIMS = ['aud', 'iss', 'ver', 'appid', 'appidacr', 'oid', 'tid', 'scp', 'idtyp', 'exp'];
const CALLER_CLAIMS = ['aud', 'iss', 'ver', 'azp', 'oid', 'scp', 'exp'];

function claimFields(token: string, names: string[]): Array<{ name: string; value: string }> {
  try {
    const { payload } = decodeToken(token, { maxTokenBytes: 65_536 });
    return names.filter((name) => payload[name] !== undefined).map((name) => ({ name, value: typeof payload[name] === 'string' ? payload[name] : JSON.stringify(payload[name]) }));
  } catch {
    return [{ name: 'token', value: 'not a JWT (opaque): nothing to decode' }];
  }
}

/** Claims of a token as a plain object (for the Tokens page), never the token. */
export function decodedClaims(token: string): Record<string, unknown> {
  try {
    return decodeToken(token, { maxTokenBytes: 65_536 }).payload;
  } catch {
    return {};
  }
}

export class StoryTrace {
  readonly parent: TraceParent;
  readonly continued: boolean;
  readonly steps: TraceStep[] = [];
  readonly #clock: () => number;

  constructor(traceparentHeader: string | undefined, clock: () => number) {
    const parsed = parseTraceparent(traceparentHeader);
    this.parent = parsed ?? newTraceparent();
    this.continued = parsed !== undefined;
    this.#clock = clock;
  }

  /** client-request-id for the On-Behalf-Of call: the trace id, as the GUID Entra expects. */
  get correlationId(): string {
    return traceIdAsGuid(this.parent.traceId);
  }

  validated(assertion: string, requiredScope: string): void {
    let header: Record<string, unknown> = {};
    try {
      header = decodeToken(assertion, { maxTokenBytes: 65_536 }).header;
    } catch {
      // Validated already; a decode failure here cannot happen, and only loses display detail.
    }
    this.steps.push({
      at: this.#clock(),
      from: 'api',
      to: 'api',
      title: 'Validate the bearer token',
      fields: [
        { name: 'traceparent', value: this.continued ? formatTraceparent(this.parent) : 'none received: a new trace was started', note: 'W3C Trace Context from the web app' },
        { name: 'algorithm', value: `passed: ${String(header['alg'])}`, note: 'only RS256' },
        { name: 'signing key', value: `passed: kid ${String(header['kid'])}`, note: 'found in the JWKS named by discovery' },
        { name: 'signature', value: 'passed', note: 'verified with that key' },
        { name: 'issuer', value: 'passed', note: 'the tenant\'s issuer from discovery' },
        { name: 'audience', value: 'passed', note: 'this API (client id or App ID URI)' },
        { name: 'lifetime', value: 'passed', note: 'exp and nbf, 5 minutes of clock skew' },
        { name: 'token type', value: 'passed', note: 'an access token (no nonce), not for Graph' },
        { name: 'scope', value: `passed: ${requiredScope}`, note: 'the route requires it (scp)' },
        ...claimFields(assertion, CALLER_CLAIMS).map((field) => ({ ...field, note: 'caller token claim' })),
      ],
      notes: ['The token was checked in full before anything else ran; its claims are shown, the token is not.'],
    });
  }

  /** The On-Behalf-Of request about to be made; drawn only if the token endpoint was called. */
  #oboRequest: { at: number; scopes: readonly string[] } | undefined;

  oboRequested(scopes: readonly string[]): number {
    const at = this.#clock();
    this.#oboRequest = { at, scopes };
    return at;
  }

  /**
   * The Storage token: after the POST /token step when this call exchanged it (MSAL's cache gives
   * a token it got earlier without calling the token endpoint, and then no POST is drawn).
   */
  oboAnswered(storageToken: string, exchangedAt: number | undefined, requestedAt: number): void {
    const fresh = exchangedAt !== undefined && exchangedAt >= requestedAt;
    if (fresh) this.steps.push(this.#oboRequestStep(this.#oboRequest ?? { at: requestedAt, scopes: [] }));
    this.steps.push({
      at: this.#clock(),
      from: fresh ? 'idp' : 'api',
      to: 'api',
      title: fresh ? '200 Storage token (v1)' : 'Storage token from the OBO cache',
      ...(fresh ? { status: 200 } : {}),
      fields: claimFields(storageToken, STORAGE_CLAIMS).map((field) => ({ ...field, note: STORAGE_NOTES[field.name] ?? '' })),
      notes: [
        fresh ? 'A new token for Azure Storage, for the same user (same oid), issued to the API (appid).' : `No call to the token endpoint: the API reused the Storage token it got On-Behalf-Of this same caller token${exchangedAt ? ` at ${new Date(exchangedAt).toISOString()}` : ''}.`,
        'Only its claims are shown here; the token itself went to Blob Storage and nowhere else.',
      ],
    });
  }

  #oboRequestStep(request: { at: number; scopes: readonly string[] }): TraceStep {
    return {
      at: request.at,
      from: 'api',
      to: 'idp',
      title: 'POST /token (On-Behalf-Of)',
      method: 'POST',
      fields: [
        { name: 'grant_type', value: 'urn:ietf:params:oauth:grant-type:jwt-bearer', note: 'On-Behalf-Of' },
        { name: 'assertion', value: '[the caller\'s access token, redacted]', note: 'proves the user called this API' },
        { name: 'requested_token_use', value: 'on_behalf_of' },
        { name: 'scope', value: request.scopes.join(' '), note: 'Azure Storage, as the user' },
        { name: 'client-request-id', value: this.correlationId, note: 'the trace id as a GUID: matches the identity provider\'s log' },
      ],
      notes: ['The API authenticates as itself (its own credential) and presents the user\'s token.'],
    };
  }

  storageRead(blobPath: string, found: boolean, bytes: number, startedAt: number): void {
    this.steps.push(
      { at: startedAt, from: 'api', to: 'storage', title: `GET ${blobPath}`, method: 'GET', fields: [{ name: 'Authorization', value: 'Bearer [Storage token]', note: 'the On-Behalf-Of token, never the caller\'s' }], notes: ['The blob name comes only from the validated oid, never from the request.'] },
      { at: this.#clock(), from: 'storage', to: 'api', title: found ? `200 (${bytes} bytes)` : '404 no story', status: found ? 200 : 404, fields: [], notes: ['Storage checked the token\'s audience, issuer and signature, and the user\'s data role.'] },
    );
  }

  toJSON(): ApiTrace {
    return { traceparent: formatTraceparent(this.parent), traceId: this.parent.traceId, continued: this.continued, steps: this.steps };
  }
}

const STORAGE_NOTES: Record<string, string> = {
  aud: 'Azure Storage, not this API',
  iss: 'v1 issuer (sts.windows.net): Storage asks for v1 tokens',
  ver: 'Storage\'s registration uses v1 tokens',
  appid: 'this API: it asked for the token',
  appidacr: 'how the API authenticated: 1 secret, 2 certificate',
  oid: 'the same user as the caller\'s token',
  scp: 'delegated: Storage as the user',
};
