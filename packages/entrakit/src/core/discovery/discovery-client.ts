import { EntrakitError } from '../errors.ts';
import { createRemoteKeySet } from './remote-key-set.ts';
import type { RemoteKeySet } from './remote-key-set.ts';
import { isFetchableUrl, parseOidcMetadata } from './oidc-metadata.ts';
import type { OidcMetadata } from './oidc-metadata.ts';

export interface DiscoveryClientOptions {
  fetch?: typeof globalThis.fetch;
  /** Milliseconds since the epoch; drives the metadata TTL and every JWKS timing below. */
  clock?: () => number;
  /** How long a fetched discovery document is reused. Default 24 h. */
  metadataTtlMs?: number;
  /** Minimum time between JWKS refetches caused by an unknown `kid`. Default 30 s. */
  jwksCooldownMs?: number;
  /**
   * Inside the cooldown, a token with an unknown `kid` issued (iat/nbf) after the last JWKS fetch
   * may still refetch once, at most once per this interval. Default 10 s.
   */
  jwksFreshTokenRefetchMs?: number;
  /** Age after which the JWKS is refetched before use. Default 10 min. */
  jwksMaxAgeMs?: number;
  /** Per-request timeout for discovery and JWKS fetches. Default 5 s. */
  timeoutMs?: number;
}

export interface DiscoveryClient {
  getMetadata(discoveryUrl: string): Promise<OidcMetadata>;
  /**
   * The document already fetched and still fresh, without waiting; undefined otherwise. Optional
   * for clients made elsewhere: without it, callers wait for getMetadata.
   */
  cachedMetadata?(discoveryUrl: string): OidcMetadata | undefined;
  /** One key set per URI, shared by every caller so its cache and cooldown are too. */
  getKeySet(jwksUri: string): RemoteKeySet;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function durationOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`createDiscoveryClient: "${name}" must be a non-negative finite number`);
  }
  return value;
}

export function createDiscoveryClient(options: DiscoveryClientOptions = {}): DiscoveryClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('createDiscoveryClient: "fetch" must be a function');
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('createDiscoveryClient: "clock" must be a function');
  const metadataTtlMs = durationOption('metadataTtlMs', options.metadataTtlMs, DAY_MS);
  const jwksCooldownMs = durationOption('jwksCooldownMs', options.jwksCooldownMs, 30_000);
  const jwksFreshTokenRefetchMs = durationOption('jwksFreshTokenRefetchMs', options.jwksFreshTokenRefetchMs, 10_000);
  const jwksMaxAgeMs = durationOption('jwksMaxAgeMs', options.jwksMaxAgeMs, 600_000);
  const timeoutMs = Math.trunc(durationOption('timeoutMs', options.timeoutMs, 5_000));

  const metadataCache = new Map<string, { metadata: OidcMetadata; fetchedAt: number }>();
  const inFlight = new Map<string, Promise<OidcMetadata>>();
  const keySets = new Map<string, RemoteKeySet>();

  async function fetchMetadata(discoveryUrl: string): Promise<OidcMetadata> {
    let response: Response;
    let body: unknown;
    try {
      response = await fetchImpl(discoveryUrl, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw unreachable(discoveryUrl, 'could not be fetched', cause);
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw unreachable(discoveryUrl, `answered HTTP ${response.status}`);
    }
    try {
      body = await response.json();
    } catch (cause) {
      throw new EntrakitError('DISCOVERY_INVALID', `Discovery document at ${discoveryUrl} is not JSON`, {
        cause,
        details: { discoveryUrl },
      });
    }
    const metadata = parseOidcMetadata(body, discoveryUrl);
    metadataCache.set(discoveryUrl, { metadata, fetchedAt: clock() });
    return metadata;
  }

  function getMetadata(discoveryUrl: string): Promise<OidcMetadata> {
    if (typeof discoveryUrl !== 'string' || !isFetchableUrl(discoveryUrl)) {
      throw new TypeError('getMetadata: "discoveryUrl" must be an https URL (http only on loopback)');
    }
    const cached = metadataCache.get(discoveryUrl);
    if (cached && clock() - cached.fetchedAt < metadataTtlMs) return Promise.resolve(cached.metadata);
    const pending = inFlight.get(discoveryUrl);
    if (pending) return pending;
    // Failures are not cached: the next caller tries again, and nobody gets stale or no keys.
    const started = fetchMetadata(discoveryUrl).finally(() => inFlight.delete(discoveryUrl));
    inFlight.set(discoveryUrl, started);
    return started;
  }

  function cachedMetadata(discoveryUrl: string): OidcMetadata | undefined {
    const cached = metadataCache.get(discoveryUrl);
    return cached && clock() - cached.fetchedAt < metadataTtlMs ? cached.metadata : undefined;
  }

  function getKeySet(jwksUri: string): RemoteKeySet {
    if (typeof jwksUri !== 'string' || !isFetchableUrl(jwksUri)) {
      throw new TypeError('getKeySet: "jwksUri" must be an https URL (http only on loopback)');
    }
    let keySet = keySets.get(jwksUri);
    if (!keySet) {
      keySet = createRemoteKeySet(jwksUri, {
        fetch: fetchImpl,
        clock,
        cooldownMs: jwksCooldownMs,
        maxAgeMs: jwksMaxAgeMs,
        freshTokenRefetchMs: jwksFreshTokenRefetchMs,
        timeoutMs,
      });
      keySets.set(jwksUri, keySet);
    }
    return keySet;
  }

  return { getMetadata, cachedMetadata, getKeySet };
}

function unreachable(discoveryUrl: string, what: string, cause?: unknown): EntrakitError {
  return new EntrakitError('DISCOVERY_UNREACHABLE', `Discovery document at ${discoveryUrl} ${what}`, {
    cause,
    details: { discoveryUrl },
  });
}
