import { EntrakitError } from '../../core/errors.ts';

/** RFC 6750 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The token from `Authorization: Bearer <token>`. No header, or another scheme, is a 401 with a
 * bare challenge (RFC 6750 3.1: no error code when no credentials were sent); a Bearer header
 * that is not a single b64token is a 400 invalid_request.
 */
export function readBearerToken(request: Request, maxTokenBytes: number): string {
  const header = request.headers.get('authorization');
  const match = header === null ? null : /^bearer(?: +(.*))?$/i.exec(header.trim());
  if (!match) {
    throw new EntrakitError('BEARER_TOKEN_MISSING', 'A bearer access token is required', {
      status: 401,
      details: { challenge: {} },
    });
  }
  const token = match[1] ?? '';
  if (token.length > maxTokenBytes) {
    const message = `Token is larger than ${maxTokenBytes} bytes`;
    throw new EntrakitError('TOKEN_TOO_LARGE', message, {
      status: 401,
      details: { challenge: { error: 'invalid_token', errorDescription: message } },
    });
  }
  if (!B64TOKEN.test(token)) {
    const message = 'The Authorization header must be "Bearer" followed by one token';
    throw new EntrakitError('BEARER_REQUEST_INVALID', message, {
      status: 400,
      details: { challenge: { error: 'invalid_request', errorDescription: message } },
    });
  }
  return token;
}
