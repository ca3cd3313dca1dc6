/**
 * State-changing POSTs: the browser must say the request comes from this app's origin (Origin, or
 * Sec-Fetch-Site when Origin is absent) and the form must carry the session's synchronizer token.
 */
import { EntrakitError } from '../core/errors.ts';
import { timingSafeStringEqual } from '../core/secrets.ts';
import type { LoadedSession } from './core.ts';

/** The form field the token travels in. */
export const CSRF_FIELD = 'csrf';

export function checkOrigin(request: Request, baseUrl: string): void {
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site');
  if (origin !== null ? origin !== new URL(baseUrl).origin : site !== null && site !== 'same-origin') {
    throw new EntrakitError('CSRF_ORIGIN_MISMATCH', 'The request did not come from this app');
  }
}

export async function checkCsrf(request: Request, baseUrl: string, session: LoadedSession | undefined): Promise<void> {
  checkOrigin(request, baseUrl);
  if (!session) return;
  const type = request.headers.get('content-type') ?? '';
  const form = type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data') ? await request.formData().catch(() => undefined) : undefined;
  const token = form?.get(CSRF_FIELD);
  if (typeof token !== 'string' || !timingSafeStringEqual(token, session.data.csrf)) {
    throw new EntrakitError('CSRF_TOKEN_INVALID', 'The form was missing its anti-forgery token or it did not match');
  }
}
