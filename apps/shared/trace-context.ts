/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header carries one
 * trace id through every hop of a request (browser → web app → API → token endpoint → storage),
 * each hop with its own span (parent) id. Version 00 only is generated; unknown future versions
 * are read by their first four fields, as the specification asks.
 */
import { randomBytes } from 'node:crypto';

export interface TraceParent {
  version: string;
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero: the caller's span. */
  parentId: string;
  /** 2 hex digits; bit 0 = sampled. */
  flags: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Parses a traceparent header; undefined when it is invalid (then a receiver starts a new trace). */
export function parseTraceparent(header: string | null | undefined): TraceParent | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return undefined;
  const [, version = '', traceId = '', parentId = '', flags = '', rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { version, traceId, parentId, flags };
}

export function formatTraceparent(parent: TraceParent): string {
  return `00-${parent.traceId}-${parent.parentId}-${parent.flags}`;
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (!/^0+$/.test(hex)) return hex;
  }
}

/** A new trace (sampled), this hop being its first span. */
export function newTraceparent(): TraceParent {
  return { version: '00', traceId: nonZeroHex(16), parentId: nonZeroHex(8), flags: '01' };
}

/** The same trace, a new span for the next hop (the outgoing request's traceparent). */
export function childTraceparent(parent: TraceParent): TraceParent {
  return { version: '00', traceId: parent.traceId, parentId: nonZeroHex(8), flags: parent.flags };
}

/** The trace id as a GUID, for systems that correlate by GUID (`client-request-id` on Entra's endpoints). */
export function traceIdAsGuid(traceId: string): string {
  return `${traceId.slice(0, 8)}-${traceId.slice(8, 12)}-${traceId.slice(12, 16)}-${traceId.slice(16, 20)}-${traceId.slice(20, 32)}`;
}
