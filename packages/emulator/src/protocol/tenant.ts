import type { Directory } from '../directory/directory.ts';
import type { Tenant } from '../directory/types.ts';
import { AadError } from './aad-error.ts';

/** What the `{tenant}` path segment named: one tenant, or a multi-tenant alias. */
export type Authority = { kind: 'tenant'; segment: string; tenant: Tenant } | { kind: 'common' | 'organizations'; segment: string };

const ALIASES = new Set(['common', 'organizations']);

export function resolveAuthority(directory: Directory, segment: string): Authority {
  const lower = segment.toLowerCase();
  if (ALIASES.has(lower)) return { kind: lower as 'common' | 'organizations', segment: lower };
  if (lower === 'consumers') throw new AadError(90002, `Tenant 'consumers' is not supported by this emulator (no Microsoft accounts).`);
  const tenant = directory.findTenant(segment);
  if (!tenant) {
    throw new AadError(90002, `Tenant '${segment.slice(0, 64)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  }
  return { kind: 'tenant', segment, tenant };
}

export function v2Issuer(publicUrl: string, tenantId: string): string {
  return `${publicUrl}/${tenantId}/v2.0`;
}

/** v1 tokens (Graph, Storage) carry Entra's fixed STS issuer; Azurite accepts only this form. */
export function v1Issuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}
