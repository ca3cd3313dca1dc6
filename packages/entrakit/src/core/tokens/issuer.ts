/**
 * Entra issuer rules.
 * - v2 tenant issuer: `https://{host}/{tid}/v2.0` (any host: login.microsoftonline.com, the emulator).
 * - v1 tenant issuer: `https://sts.windows.net/{tid}/`.
 * - Multi-tenant metadata (`common`, `organizations`) publishes a template with the literal
 *   `{tenantid}`; the token's `tid` is substituted into it and the result compared exactly.
 */
const TEMPLATE = /\{tenantid\}/gi;
/** Tenant ids are GUIDs (or domain-free ids in emulators): never anything that changes a URL's shape. */
const SAFE_TENANT_ID = /^[A-Za-z0-9-]{1,64}$/;
const V2_ISSUER = /^https?:\/\/[^/]+\/([^/]+)\/v2\.0$/;
const V1_ISSUER = /^https:\/\/sts\.windows\.net\/([^/]+)\/$/;

export function isIssuerTemplate(issuer: string): boolean {
  return /\{tenantid\}/i.test(issuer);
}

export function isSafeTenantId(tid: unknown): tid is string {
  return typeof tid === 'string' && SAFE_TENANT_ID.test(tid);
}

/** The issuer a token from tenant `tid` must carry; undefined when `tid` cannot be substituted. */
export function expectedIssuer(issuerOrTemplate: string, tid: unknown): string | undefined {
  if (!isIssuerTemplate(issuerOrTemplate)) return issuerOrTemplate;
  return isSafeTenantId(tid) ? issuerOrTemplate.replace(TEMPLATE, tid) : undefined;
}

/** Exact comparison after template substitution; plus, the tenant named in `iss` must be `tid`. */
export function issuerMatches(issuerOrTemplate: string, iss: unknown, tid: unknown): boolean {
  if (typeof iss !== 'string') return false;
  const expected = expectedIssuer(issuerOrTemplate, tid);
  if (expected === undefined || expected !== iss) return false;
  const issuerTenant = tenantFromIssuer(iss);
  return issuerTenant === undefined || issuerTenant.toLowerCase() === String(tid).toLowerCase();
}

/** The tenant segment of a v1 or v2 Entra issuer, or undefined for other shapes. */
export function tenantFromIssuer(iss: string): string | undefined {
  return V2_ISSUER.exec(iss)?.[1] ?? V1_ISSUER.exec(iss)?.[1];
}

/**
 * The v1 issuer that pairs with a v2 issuer (or template): Entra signs v1 tokens (Graph, Storage,
 * APIs without `requestedAccessTokenVersion: 2`) with the same keys but names `sts.windows.net`.
 */
export function v1IssuerFor(v2IssuerOrTemplate: string): string | undefined {
  const tenant = V2_ISSUER.exec(v2IssuerOrTemplate)?.[1];
  return tenant === undefined ? undefined : `https://sts.windows.net/${tenant}/`;
}

/** No allow-list means every tenant the issuer rule admits; tenant ids compare case-insensitively. */
export function isTenantAllowed(tid: string, allowedTenants: readonly string[] | undefined): boolean {
  if (allowedTenants === undefined) return true;
  const wanted = tid.toLowerCase();
  return allowedTenants.some((tenant) => tenant.toLowerCase() === wanted);
}
