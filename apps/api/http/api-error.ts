import type { Context } from 'hono';
import { EntrakitError, isEntrakitError } from 'entrakit';

/** What an API error looks like on the wire, kept in EntrakitError.details. */
export interface ApiErrorWire {
  /** snake_case `error` of the JSON body (OAuth style). */
  error: string;
  /** Complete WWW-Authenticate value, when the client must act (new token, claims, consent). */
  wwwAuthenticate?: string;
  /** Extra JSON body fields, e.g. `claims`. */
  extra?: Record<string, string>;
}

export function apiError(code: string, status: number, wire: ApiErrorWire, description: string, cause?: unknown): EntrakitError {
  return new EntrakitError(code, description, { status, cause, details: { wire } });
}

/**
 * Renders errors raised by routes: ours with their status, body and challenge; anything else as a
 * 500 whose body says nothing about the cause (logged by the caller, never with tokens).
 */
export function renderApiError(c: Context, error: unknown): Response {
  c.header('Cache-Control', 'no-store');
  const wire = isEntrakitError(error) ? (error.details?.['wire'] as ApiErrorWire | undefined) : undefined;
  if (!isEntrakitError(error) || !wire) {
    return c.json({ error: 'server_error', error_description: 'The API failed to handle the request' }, 500);
  }
  if (wire.wwwAuthenticate) c.header('WWW-Authenticate', wire.wwwAuthenticate);
  return c.json({ error: wire.error, error_description: error.message, ...wire.extra }, error.status as 400);
}

/** A quoted-string value safe for WWW-Authenticate (RFC 6750 NQSCHAR), truncated. */
export function quoted(value: string, max = 300): string {
  return `"${value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?').slice(0, max)}"`;
}
