import { EntrakitError } from '../core/errors.ts';

/** RFC 6750 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The credentials after `Authorization: Bearer`. No header, or another scheme, is a 401 with a
 * bare challenge (RFC 6750 3.1: no error code when no credentials were sent). Kept to string
 * slicing because it runs on every request, cache hits included.
 */
export function readBearerCredentials(header: string | null, maxTokenBytes: number): string {
  const space = header === null ? -1 : header.indexOf(' ');
  const scheme = header === null ? '' : space === -1 ? header : header.slice(0, space);
  if (header === null || scheme.toLowerCase() !== 'bearer') {
    throw new EntrakitError('BEARER_TOKEN_MISSING', 'A bearer access token is required');
  }
  const credentials = space === -1 ? '' : header.slice(space + 1).replace(/^ +/, '');
  if (credentials.length > maxTokenBytes) {
    throw new EntrakitError('TOKEN_TOO_LARGE', `Token is larger than ${maxTokenBytes} bytes`);
  }
  return credentials;
}

/**
 * A Bearer header must carry exactly one b64token; anything else is a 400 invalid_request. This
 * includes repeated Authorization headers, which servers join with ", " (RFC 6750 3.1: more than
 * one method or token).
 */
export function checkBearerSyntax(credentials: string): string {
  if (!B64TOKEN.test(credentials)) {
    throw new EntrakitError('BEARER_REQUEST_INVALID', 'The Authorization header must be "Bearer" followed by one token');
  }
  return credentials;
}

/**
 * The Authorization header from Node's `rawHeaders`, repeated headers joined by ", " as fetch
 * Headers join them. Node's own `req.headers.authorization` keeps only the first of them, which
 * would hide a second token from the one-token check; Express, Fastify and plain node:http
 * servers should read it through this.
 */
export function authorizationFromRawHeaders(rawHeaders: readonly string[]): string | null {
  let value: string | null = null;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      const current = rawHeaders[i + 1]!.trim();
      value = value === null ? current : `${value}, ${current}`;
    }
  }
  return value;
}
