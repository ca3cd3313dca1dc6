import { createHash } from 'node:crypto';

/**
 * The sign-in's correlation id, sent as `client-request-id` on /authorize and on the token call,
 * so the identity provider's own log can be matched to this sign-in. Derived from the state (so
 * nothing new is stored), as a GUID like the ones MSAL makes; it reveals nothing about the state.
 */
export function signInCorrelationId(state: string): string {
  const hex = createHash('sha256').update('entrakit client-request-id\0').update(state).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
