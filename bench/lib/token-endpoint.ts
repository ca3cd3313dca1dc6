import { loadWithServerCpu, type MeasuredLoad } from './server-cpu.ts';

export const CONNECTIONS = 8;
export const WARMUP_SEC = 2;
export const DURATION_SEC = 6;

/**
 * Checks one token request with a verifying fetch (the process trusts the local CA): HTTP 200 and
 * an RS256 JWT access token. Returns why it is not usable, or undefined when it is.
 */
export async function checkTokenEndpoint(tokenUrl: string, form: string): Promise<string | undefined> {
  const response = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  const text = await response.text();
  if (response.status !== 200) return `HTTP ${response.status}: ${text.slice(0, 160)}`;
  const token = (JSON.parse(text) as { access_token?: string }).access_token ?? '';
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString() || '{}') as { alg?: string };
  return token.split('.').length === 3 && header.alg === 'RS256' ? undefined : `not an RS256 JWT access token: ${text.slice(0, 160)}`;
}

/** Client-credentials requests against `tokenUrl` (served by process `pid`) for a fixed time and connection count. */
export function loadTokenEndpoint(name: string, pid: number, tokenUrl: string, form: string, caPem: string): Promise<MeasuredLoad> {
  return loadWithServerCpu(pid, {
    name,
    url: tokenUrl,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    caPem,
    connections: CONNECTIONS,
    warmupSec: WARMUP_SEC,
    durationSec: DURATION_SEC,
  });
}
