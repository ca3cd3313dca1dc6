/**
 * The emulator's request log: what each protocol request asked, what the emulator decided and
 * why, kept in memory in a ring buffer. The JSON shape (RequestLogEntry) is a public contract:
 * tools read it by client-request-id to show the identity provider's side of a sign-in.
 * Never holds a token, code, password or secret: only identifiers, outcomes and reasons.
 */

/** Which protocol surface a request hit. */
export type LoggedEndpoint = 'authorize' | 'login' | 'consent' | 'token' | 'logout' | 'devicecode' | 'deviceauth' | 'graph' | 'userinfo' | 'managed-identity' | 'userrealm';

/** success: tokens, a code or data went back; interaction: a page was shown to the user; error: refused. */
export type RequestOutcome = 'success' | 'interaction' | 'error';

export interface RequestLogEntry {
  /** Increasing sequence number (never reused while the emulator runs). */
  id: number;
  /** ISO 8601 UTC time the request arrived. */
  time: string;
  endpoint: LoggedEndpoint;
  method: string;
  /** Path without the query string. */
  path: string;
  /** The `{tenant}` path segment as sent, or null (Graph). */
  tenant: string | null;
  /** The `client-request-id` header (or query parameter on /authorize), or null. */
  clientRequestId: string | null;
  /** client_id of the request (or the token's appid/azp for Graph), or null when unknown. */
  clientId: string | null;
  /** grant_type on the token endpoint, else null. */
  grantType: string | null;
  /** The signed-in user (UPN) when the emulator knows it, else null. */
  user: string | null;
  status: number;
  outcome: RequestOutcome;
  /** OAuth error (`invalid_grant`...) or Graph error code, else null. */
  error: string | null;
  /** The AADSTS code of the error, else null. */
  aadsts: number | null;
  /** Human explanations of the decisions taken, in order. */
  why: string[];
  durationMs: number;
}

export interface RequestLogFilter {
  clientRequestId?: string;
  clientId?: string;
  endpoint?: string;
  /** Only entries with an id greater than this (to follow the log). */
  after?: number;
  limit?: number;
}

export interface RequestLog {
  /** Records one request; returns the stored entry. */
  note(entry: Omit<RequestLogEntry, 'id' | 'time'> & { time?: number }): RequestLogEntry;
  /** Newest first. */
  list(filter?: RequestLogFilter): RequestLogEntry[];
  clear(): void;
  readonly capacity: number;
}

export const DEFAULT_REQUEST_LOG_CAPACITY = 1000;

/** A bounded log: once `capacity` entries are held, each new one replaces the oldest. */
export function createRequestLog(options: { capacity?: number; clock?: () => number } = {}): RequestLog {
  const capacity = options.capacity ?? DEFAULT_REQUEST_LOG_CAPACITY;
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('request log capacity must be a positive integer');
  const clock = options.clock ?? Date.now;
  const ring: Array<RequestLogEntry | undefined> = new Array<RequestLogEntry | undefined>(capacity);
  let next = 0;
  let sequence = 0;

  return {
    capacity,
    note(input) {
      const { time, ...rest } = input;
      const entry: RequestLogEntry = { id: ++sequence, time: new Date(time ?? clock()).toISOString(), ...rest, why: [...rest.why] };
      ring[next] = entry;
      next = (next + 1) % capacity;
      return entry;
    },
    list(filter = {}) {
      const limit = Math.min(Math.max(filter.limit ?? capacity, 1), capacity);
      const out: RequestLogEntry[] = [];
      for (let i = 1; i <= capacity && out.length < limit; i++) {
        const entry = ring[(next - i + capacity) % capacity];
        if (!entry) break;
        if (filter.after !== undefined && entry.id <= filter.after) break;
        if (filter.clientRequestId !== undefined && entry.clientRequestId !== filter.clientRequestId) continue;
        if (filter.clientId !== undefined && entry.clientId?.toLowerCase() !== filter.clientId.toLowerCase()) continue;
        if (filter.endpoint !== undefined && entry.endpoint !== filter.endpoint) continue;
        out.push(entry);
      }
      return out;
    },
    clear() {
      ring.fill(undefined);
      next = 0;
    },
  };
}
