import type { TraceField } from '../core/trace/types.ts';

/**
 * What createWebAuth tells its subscribers (learning pages, audit logs, metrics). Events carry ids,
 * claims names and outcomes, never a token, a code or a secret. A listener that throws is ignored:
 * observing a sign-in must never break it.
 */
/**
 * `correlationId` is the sign-in's client-request-id: sent to /authorize and with the code
 * redemption, so the identity provider files both under it (Entra's sign-in log, the emulator's
 * request log), and carried by the sign-in's events and its token call's 'http-call' event, so a
 * subscriber can tell parallel sign-ins apart.
 */
export interface WebAuthEvents {
  /** `authorizeUrl`: where the browser is sent, each parameter redacted as in a trace (state and nonce shortened). */
  'sign-in-started': { state: string; correlationId: string; returnTo: string; scopes: string[]; claims: boolean; silent: boolean; authorizeUrl: string };
  'code-redeemed': { state: string; correlationId: string; homeAccountId: string };
  /** `header` and `checks`: the validated ID token's JOSE header and what the validator checked. */
  'signed-in': {
    correlationId: string;
    tid: string;
    oid: string;
    sid: string | null;
    returnTo: string;
    claims: Record<string, unknown>;
    header: Record<string, unknown>;
    checks: Array<{ name: string; passed: boolean; detail: string }>;
  };
  /** `correlationId` when the failure belongs to a known sign-in (after its transaction was found). */
  'sign-in-failed': { code: string; message: string; correlationId?: string };
  /** A redemption failed on a timeout or 5xx: the browser goes once more through a silent sign-in. */
  'sign-in-retried': { state: string; correlationId: string; reason: string };
  /** `correlationId`: the refresh's client-request-id, also on its token call's 'http-call' event. */
  'token-refreshed': { homeAccountId: string; scopes: string[]; withClaims: boolean; correlationId: string };
  /** An API or Graph answered `insufficient_claims` (step-up or CAE) to this account's token. */
  'claims-challenge': { homeAccountId: string; resource: string; claims: string; resolved: 'silently' | 'sign-in' };
  /**
   * fetch or graph got a throttled answer (429, or 503 with Retry-After) and sends the request
   * again after `waitMs`; `retry` counts from 1. `url` is origin and path only, as in 'http-call'.
   */
  'request-throttled': { method: string; url: string; status: number; waitMs: number; retry: number };
  'signed-out': { oid: string; scope: 'browser' | 'everywhere' | 'front-channel'; sessions: number };
  /** A user's token cache could not be opened with this key (the secret changed, or tampering) and was dropped: the user signs in again. Key ids only, never a secret. */
  'token-cache-discarded': { reason: string; storedKeyId: string | undefined; keyId: string };
  /**
   * One HTTP call the library made (discovery, signing keys, the token endpoint, Graph or an API),
   * after it ended. `url` is origin and path only (no query); `status` is null when no answer came
   * (`error` then names why, e.g. IDP_UNREACHABLE); `ms` is the wall time of the call.
   */
  'http-call': {
    method: string;
    url: string;
    kind: HttpCallKind;
    status: number | null;
    ms: number;
    error?: string;
    correlationId?: string;
    /**
     * Token calls only: the form sent and the JSON answered, each field redacted as in a trace
     * (a secret or code replaced, a JWT described, a refresh token reduced to its length, a PKCE
     * verifier shortened), for a learning trace of the redemption.
     */
    request?: TraceField[];
    response?: TraceField[];
  };
}

/** What an HTTP call was for, read from its path (Entra's endpoint paths; anything else is 'api'). */
export type HttpCallKind = 'discovery' | 'keys' | 'token' | 'api';

export type WebAuthEventName = keyof WebAuthEvents;
export type WebAuthListener<K extends WebAuthEventName> = (event: WebAuthEvents[K] & { type: K; at: number }) => void;

export interface EventHub {
  on<K extends WebAuthEventName>(type: K, listener: WebAuthListener<K>): () => void;
  emit<K extends WebAuthEventName>(type: K, event: WebAuthEvents[K]): void;
  /** Whether anyone listens: an event whose payload costs work (redaction, a copied body) is built only then. */
  listens(type: WebAuthEventName): boolean;
}

export function createEventHub(clock: () => number): EventHub {
  const listeners = new Map<WebAuthEventName, Set<(event: never) => void>>();
  return {
    on(type, listener) {
      if (typeof listener !== 'function') throw new TypeError('on: "listener" must be a function');
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      set.add(listener as (event: never) => void);
      return () => void set.delete(listener as (event: never) => void);
    },
    listens(type) {
      return (listeners.get(type)?.size ?? 0) > 0;
    },
    emit(type, event) {
      const set = listeners.get(type);
      if (!set || set.size === 0) return;
      const payload = { ...event, type, at: clock() } as never;
      for (const listener of set) {
        try {
          listener(payload);
        } catch {
          // Ignored on purpose (see above).
        }
      }
    },
  };
}
