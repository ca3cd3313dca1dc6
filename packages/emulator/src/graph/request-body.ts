import type { Context } from 'hono';
import { GraphError } from './graph-error.ts';

/** Larger bodies are refused before parsing; app manifests stay far below this. */
const MAX_BODY_BYTES = 256 * 1024;

/** Graph's answer to a body that is not JSON (or not an object). */
export function unreadablePayload(): GraphError {
  return new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
}

/** The JSON object a write sends; anything else is Graph's 400. */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new GraphError(413, 'Request_BadRequest', 'The request body is too large.');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw unreadablePayload();
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw unreadablePayload();
  return body as Record<string, unknown>;
}

export function unknownProperty(name: string): GraphError {
  return new GraphError(400, 'Request_BadRequest', `Property '${name.slice(0, 100)}' does not exist as a declared property or extension property.`);
}

export function invalidValue(property: string, resource: string): GraphError {
  return new GraphError(400, 'Request_BadRequest', `Invalid value specified for property '${property.slice(0, 100)}' of resource '${resource}'.`);
}

/** `{"@odata.id": ".../directoryObjects/{id}"}` of a `$ref` write: the referenced object id. */
export function referencedId(body: Record<string, unknown>): string {
  const ref = body['@odata.id'];
  const match = typeof ref === 'string' ? /\/(?:directoryObjects|users|servicePrincipals|groups)\/([0-9a-fA-F-]{36})\/?$/.exec(ref) : null;
  if (!match?.[1]) throw new GraphError(400, 'Request_BadRequest', "Invalid object identifier in '@odata.id'.");
  return match[1].toLowerCase();
}
