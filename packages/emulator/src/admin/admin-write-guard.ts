import type { Context } from 'hono';
import { adminWriteIsJson, crossSiteAdminWrite } from '../endpoints/admin-writes.ts';

/** What an admin write is refused with: a 4xx status and an OAuth-style body, as the other admin routes answer. */
export interface AdminRefusal {
  status: 400 | 403 | 415;
  body: { error: string; error_description: string };
}

/**
 * Admin writes change what the emulator signs and when tokens expire. Every /_admin route already
 * passes the admin middleware's checks (endpoints/admin-writes.ts); routes that read a body ask
 * again here so that a route mounted elsewhere cannot skip them.
 */
export function refuseUnsafeAdminWrite(c: Context, publicUrl: string): AdminRefusal | undefined {
  const crossSite = crossSiteAdminWrite(c, publicUrl);
  if (crossSite) return { status: 403, body: { error: 'forbidden', error_description: `admin writes are refused from other sites: ${crossSite}` } };
  if (!adminWriteIsJson(c)) return { status: 415, body: { error: 'invalid_request', error_description: 'admin writes take a JSON body (Content-Type: application/json)' } };
  return undefined;
}

/**
 * The JSON object of an admin write, after `refuseUnsafeAdminWrite`; anything else is a refusal
 * saying what was wrong.
 */
export async function readAdminJson(c: Context, publicUrl: string): Promise<{ body: Record<string, unknown> } | { refusal: AdminRefusal }> {
  const unsafe = refuseUnsafeAdminWrite(c, publicUrl);
  if (unsafe) return { refusal: unsafe };
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return { refusal: { status: 400, body: { error: 'invalid_request', error_description: 'the body is not valid JSON' } } };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { refusal: { status: 400, body: { error: 'invalid_request', error_description: 'the body must be a JSON object' } } };
  return { body: body as Record<string, unknown> };
}

/** A 400 naming what was wrong with an admin request. */
export function badAdminRequest(description: string): AdminRefusal {
  return { status: 400, body: { error: 'invalid_request', error_description: description } };
}
