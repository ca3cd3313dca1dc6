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
    throw new EntrakitError('BEARER_TOKEN_MISSING', 'A bearer access token is required', {
      status: 401,
      details: { challenge: {} },
    });
  }
  const credentials = space === -1 ? '' : header.slice(space + 1).replace(/^ +/, '');
  if (credentials.length > maxTokenBytes) {
    const message = `Token is larger than ${maxTokenBytes} bytes`;
    throw new EntrakitError('TOKEN_TOO_LARGE', message, {
      status: 401,
      details: { challenge: { error: 'invalid_token', errorDescription: message } },
    });
  }
  return credentials;
}

/** A Bearer header must carry exactly one b64token; anything else is a 400 invalid_request. */
export function checkBearerSyntax(credentials: string): string {
  if (!B64TOKEN.test(credentials)) {
    const message = 'The Authorization header must be "Bearer" followed by one token';
    throw new EntrakitError('BEARER_REQUEST_INVALID', message, {
      status: 400,
      details: { challenge: { error: 'invalid_request', errorDescription: message } },
    });
  }
  return credentials;
}
