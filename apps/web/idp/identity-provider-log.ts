/**
 * What the identity provider itself recorded about a request, matched by `client-request-id`.
 * The emulator exposes its request log to the developer; Entra ID keeps its sign-in logs in the
 * tenant (Entra admin center, Graph auditLogs), which a web app cannot read with a user's sign-in.
 */
import { readDevJson } from '@entrakit/emulator';

/** One entry of the emulator's request log (docs/emulator.md), the fields the app shows. */
export interface IdpLogEntry {
  time?: string;
  endpoint: string;
  method?: string;
  /** Path without the query string. */
  path?: string;
  status?: number;
  outcome: string;
  aadsts: number | null;
  /** In words: "SSO session found, no password asked", "password checked", "consent remembered". */
  why: string[];
}

export type IdpLogLookup =
  | { available: true; entries: IdpLogEntry[] }
  | { available: false; reason: string };

export interface IdentityProviderLog {
  readonly kind: 'emulator' | 'entra';
  lookup(clientRequestId: string): Promise<IdpLogLookup>;
}

/** Entra ID: the sign-in logs exist, but not for this app to read. */
export function entraIdentityProviderLog(): IdentityProviderLog {
  return {
    kind: 'entra',
    async lookup() {
      return { available: false, reason: 'Not visible from the app: Entra ID keeps sign-in logs in the tenant (Entra admin center → Sign-in logs, searchable by this correlation id).' };
    },
  };
}

/** The emulator's request log: GET {instance}/_admin/requests?clientRequestId=… with the admin key from dev.json. */
export function emulatorIdentityProviderLog(options: { instance: string; dataDir: string; fetch: typeof fetch }): IdentityProviderLog {
  // The emulator keeps its admin key across restarts: read once found, not per page view.
  let knownAdminKey: string | undefined;
  return {
    kind: 'emulator',
    async lookup(clientRequestId) {
      knownAdminKey ??= await readDevJson(options.dataDir).then(
        (dev) => dev.emulator?.adminKey,
        () => undefined,
      );
      const adminKey = knownAdminKey;
      if (!adminKey) return { available: false, reason: 'Not available: no emulator admin key (no dev.json in the app\'s data folder).' };
      let response: Response;
      try {
        response = await options.fetch(`${options.instance}/_admin/requests?clientRequestId=${encodeURIComponent(clientRequestId)}`, {
          headers: { 'x-entrakit-admin': adminKey, accept: 'application/json' },
          signal: AbortSignal.timeout(5_000),
        });
      } catch {
        return { available: false, reason: `Not available: the emulator at ${options.instance} could not be reached.` };
      }
      if (response.status === 404) return { available: false, reason: 'Not available: this emulator has no request log (GET /_admin/requests answered 404).' };
      if (!response.ok) return { available: false, reason: `Not available: the emulator's request log answered HTTP ${response.status}.` };
      // The emulator's documented shape (docs/emulator.md): {capacity, requests: [...]}.
      const body = (await response.json().catch(() => undefined)) as { requests?: unknown } | undefined;
      const list = Array.isArray(body?.requests) ? body.requests : [];
      return { available: true, entries: list.filter(isEntry).slice(0, 50) };
    },
  };
}

function isEntry(value: unknown): value is IdpLogEntry {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v['endpoint'] === 'string' &&
    typeof v['outcome'] === 'string' &&
    Array.isArray(v['why']) &&
    v['why'].every((w) => typeof w === 'string') &&
    (v['aadsts'] === null || typeof v['aadsts'] === 'number')
  );
}
