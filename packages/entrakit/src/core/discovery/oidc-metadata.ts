import { EntrakitError } from '../errors.ts';

/** The OpenID Provider metadata fields entrakit relies on; other fields are kept as published. */
export interface OidcMetadata {
  issuer: string;
  jwks_uri: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
  device_authorization_endpoint?: string;
  userinfo_endpoint?: string;
  id_token_signing_alg_values_supported?: string[];
  [field: string]: unknown;
}

const REQUIRED_URL_FIELDS = ['jwks_uri', 'authorization_endpoint', 'token_endpoint'] as const;

/**
 * Checks a parsed discovery document. The issuer may be Entra's multi-tenant template
 * (`.../{tenantid}/v2.0`), so it must be a string that parses as a URL but is not normalised.
 */
export function parseOidcMetadata(document: unknown, discoveryUrl: string): OidcMetadata {
  const invalid = (what: string): EntrakitError =>
    new EntrakitError('DISCOVERY_INVALID', `Discovery document at ${discoveryUrl} ${what}`, {
      details: { discoveryUrl },
    });
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw invalid('is not a JSON object');
  }
  const record = document as Record<string, unknown>;
  const issuer = record['issuer'];
  if (typeof issuer !== 'string' || issuer === '' || !URL.canParse(issuer)) {
    throw invalid('has no valid "issuer"');
  }
  for (const field of REQUIRED_URL_FIELDS) {
    const value = record[field];
    if (typeof value !== 'string' || !isFetchableUrl(value)) {
      throw invalid(`has no valid "${field}"`);
    }
  }
  // Shared by every caller through the cache, so nobody may change it.
  return Object.freeze(record) as OidcMetadata;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https anywhere; plain http only on loopback (local emulators and test servers). */
export function isFetchableUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}
