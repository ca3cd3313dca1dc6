import { createHash, randomUUID } from 'node:crypto';

/** Name-based GUID (RFC 9562 v5 layout): the demo tenant has the same ids on every machine. */
export function stableGuid(name: string): string {
  const h = createHash('sha1').update(`entrakit-demo:${name}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export function newGuid(): string {
  return randomUUID();
}
