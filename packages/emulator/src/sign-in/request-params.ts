import type { Context } from 'hono';
import { AadError } from '../protocol/aad-error.ts';

/** Query parameters (GET) or a form-encoded body (POST), as Entra accepts both on /authorize and /logout. */
export async function readRequestParams(c: Context): Promise<URLSearchParams> {
  if (c.req.method !== 'POST') return new URL(c.req.url).searchParams;
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw new AadError(9002313, 'Invalid request. The request body must be application/x-www-form-urlencoded.');
  }
  return new URLSearchParams(await c.req.text());
}

/**
 * One parameter: absent or empty is undefined; repeated or oversized is a malformed request
 * (RFC 6749 forbids repeating a parameter, and a duplicate could smuggle a second value).
 */
export function singleParam(params: URLSearchParams, name: string, maxLength = 4096): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new AadError(9002313, `Invalid request. The parameter '${name}' was sent more than once.`);
  const value = values[0];
  if (value === undefined || value === '') return undefined;
  if (value.length > maxLength) throw new AadError(9002313, `Invalid request. The parameter '${name}' exceeds ${maxLength} characters.`);
  return value;
}

export function requiredParam(params: URLSearchParams, name: string, maxLength = 4096): string {
  const value = singleParam(params, name, maxLength);
  if (value === undefined) throw new AadError(900144, `The request body must contain the following parameter: '${name}'.`);
  return value;
}
