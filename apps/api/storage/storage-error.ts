import type { EntrakitError } from 'entrakit';
import { apiError } from '../http/api-error.ts';

/** 502 `storage_unavailable`, naming the cause without echoing tokens or full server messages. */
export function storageFailure(error: unknown, blobUrl: string): EntrakitError {
  const e = (error ?? {}) as { statusCode?: unknown; code?: unknown; details?: unknown; name?: unknown };
  const origin = new URL(blobUrl).origin;
  const code = typeof e.code === 'string' ? e.code : undefined;
  let cause: string;
  if (typeof e.statusCode === 'number') {
    const detail = authenticationDetail(e.details);
    cause = `Blob storage at ${origin} answered HTTP ${e.statusCode}${code ? ` ${code}` : ''}${detail ? ` (${detail})` : ''}`;
  } else if (e.name === 'AbortError' || code === 'ETIMEDOUT') {
    cause = `Blob storage at ${origin} did not answer in time`;
  } else {
    cause = `Blob storage at ${origin} could not be reached${code ? ` (${code})` : ''}`;
  }
  return apiError('STORAGE_UNAVAILABLE', cause, { status: 502, error: 'storage_unavailable', cause: error });
}

export function storageNotConfigured(): EntrakitError {
  return apiError('STORAGE_NOT_CONFIGURED', 'Blob storage is not configured: set STORAGE_BLOB_URL (entrakit dev starts Azurite and sets it)', { status: 502, error: 'storage_unavailable' });
}

/** Azure Storage explains 403s in `AuthenticationErrorDetail` (e.g. "Invalid token issuer."). */
function authenticationDetail(details: unknown): string | undefined {
  const value = (details as Record<string, unknown> | null | undefined)?.['authenticationErrorDetail'] ?? (details as Record<string, unknown> | null | undefined)?.['AuthenticationErrorDetail'];
  if (typeof value !== 'string') return undefined;
  return value.replace(/[^\x20-\x7e]/g, ' ').split(/\s+RequestId:/)[0]?.trim().slice(0, 120);
}
