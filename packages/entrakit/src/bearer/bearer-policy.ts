import { z } from 'zod';
import { isFetchableUrl } from '../core/discovery/oidc-metadata.ts';
import { AUTH_CONTEXT_ID } from '../core/auth-context-id.ts';

const fetchableUrl = z.string().refine(isFetchableUrl, 'must be an https URL (http only on loopback)');
/** RFC 6750 auth-param values may not contain `"` or `\`; keep the realm to plain printable text. */
const realm = z.string().regex(/^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'must be 1-100 printable ASCII characters without " or \\');

export const requiredClaimSchema = z.strictObject({
  name: z.string().min(1),
  /** 'all': the claim must contain every value; 'any': at least one. */
  match: z.enum(['all', 'any']),
  values: z.array(z.string()).min(1),
  /** A string claim holding several values (e.g. `scp`, space-separated) is split by this first. */
  separator: z.string().min(1).max(8).optional(),
});

export const bearerPolicySchema = z
  .strictObject({
    /** OIDC discovery documents; their issuer (or `{tenantid}` template) and jwks_uri are trusted. */
    discoveryUrls: z.array(fetchableUrl).optional(),
    /** Issuers given directly, each with the JWKS its tokens are signed with. */
    issuers: z.array(z.strictObject({ issuer: z.string().min(1), jwksUri: fetchableUrl })).optional(),
    /**
     * Also trust `https://sts.windows.net/{tid}/` (v1 tokens) for each discovered v2 issuer, with
     * the same keys. Default true; only applies to `discoveryUrls`.
     */
    acceptV1Tokens: z.boolean().optional(),
    allowedTenants: z.array(z.string().min(1)).optional(),
    /** The API's client id GUID and/or App ID URI (`api://...`). */
    audiences: z.array(z.string().min(1)).min(1),
    clockSkewSec: z.number().int().min(0).max(3600).optional(),
    requiredClaims: z.array(requiredClaimSchema).optional(),
    maxTokenBytes: z.number().int().min(1024).max(1_048_576).optional(),
    /** Verified-token cache; maxEntries 0 turns it off. */
    cache: z.strictObject({ maxEntries: z.number().int().min(0).max(10_000_000) }).optional(),
    realm: realm.optional(),
    /**
     * `authorization_uri` of claims challenges (step-up). Default: the authorization endpoint of
     * the first discovery document.
     */
    authorizationUri: fetchableUrl.optional(),
    /**
     * One answer for every refused token or request (4xx), as API Management's validate-jwt
     * `failed-validation-httpcode` and `failed-validation-error-message` give: this status and/or
     * this `error_description`. Server-side failures (5xx) keep their own answers.
     */
    failedValidation: z
      .strictObject({
        status: z.number().int().min(400).max(499).optional(),
        message: z.string().regex(/^[\x20-\x7e]{1,200}$/, 'must be 1-200 printable ASCII characters').optional(),
      })
      .optional(),
  })
  .refine((policy) => (policy.discoveryUrls?.length ?? 0) + (policy.issuers?.length ?? 0) > 0, {
    message: 'give at least one of "discoveryUrls" or "issuers"',
  });

export const routeRequirementSchema = z.strictObject({
  /** Any one of these delegated scopes is enough. */
  scopes: z.array(z.string().min(1)).optional(),
  /** Any one of these app roles is enough. With scopes too, a listed scope OR a listed role passes. */
  roles: z.array(z.string().min(1)).optional(),
  principal: z.enum(['user', 'app', 'any']).optional(),
  /**
   * Step-up: the token's `acrs` must name this authentication context (`c1`...`c99`); without it
   * the answer is 401 insufficient_claims with Entra's claims challenge.
   */
  authContext: z.string().regex(AUTH_CONTEXT_ID, 'must be an authentication context id, c1 to c99').optional(),
});

/**
 * The policy as written by the user (the schema's input type): a misspelt key such as `audience`
 * fails to compile. The same schema refuses unknown keys at run time, for JavaScript callers and
 * policies read from files.
 */
export type BearerPolicy = z.input<typeof bearerPolicySchema>;
/** The same type under the name of what `createBearerAuthenticator` takes. */
export type BearerPolicyInput = BearerPolicy;
/** The policy after validation (defaults not applied; every value checked). */
export type ParsedBearerPolicy = z.output<typeof bearerPolicySchema>;
export type RequiredClaim = z.input<typeof requiredClaimSchema>;
export type RouteRequirement = z.input<typeof routeRequirementSchema>;

/**
 * Parses a policy given as data; unknown keys are refused by name instead of being dropped. An
 * invalid policy is a programming or configuration mistake: a TypeError naming each bad key.
 */
export function parseBearerPolicy(input: unknown): ParsedBearerPolicy {
  const result = bearerPolicySchema.safeParse(input);
  if (!result.success) throw new TypeError(`Invalid bearer policy: ${describeIssues(result.error, '(policy)')}`);
  return result.data;
}

export function parseRouteRequirement(input: unknown): RouteRequirement {
  const result = routeRequirementSchema.safeParse(input ?? {});
  if (!result.success) throw new TypeError(`Invalid route requirement: ${describeIssues(result.error, '(requirement)')}`);
  return result.data;
}

function describeIssues(error: z.ZodError, root: string): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : root}: ${issue.message}`)
    .join('; ');
}
