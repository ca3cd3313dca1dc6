/**
 * Sign-in for web apps: createWebAuth (one call, with Express and Hono adapters), and the building
 * blocks it is made of: where to send the user back to after sign-in, the identity provider's
 * metadata, the network client MSAL uses, claims challenges, and what an AADSTS code or a failed
 * code redemption means for the user. Needs the optional peer @azure/msal-node.
 */
export { createWebAuth } from './web-auth.ts';
export type { CreatedWebAuth, Gate } from './web-auth.ts';
export { sendWebResponse } from './express-adapter.ts';
export { isThrottled, retryAfterMs } from './throttling.ts';
export type { SessionTimes, SignedInUser, WebAuth } from './web-auth-api.ts';
export type { WebAuthOptions, SignInInfo } from './settings.ts';
export { SETTING_ENV, httpsOrLoopbackUrl } from './settings.ts';
export type { HttpCallKind, WebAuthEventName, WebAuthEvents, WebAuthListener } from './events.ts';
export type { TraceField } from '../core/trace/types.ts';
export { prefixOnly, redactFields } from '../core/trace/redact.ts';
export type { CachedAccessToken, CachedRefreshToken, CachedTokens } from './cached-tokens.ts';
export { CSRF_FIELD } from './csrf.ts';
export { readClaimsChallenge, validClaimsRequest, authContextClaims } from './claims-request.ts';
export { safeReturnTo } from './return-to.ts';
export { createIdentityProvider } from './identity-provider.ts';
export type { IdentityProvider } from './identity-provider.ts';
export { createFetchNetworkClient } from './fetch-network-client.ts';
export { aadstsCode, explainAadsts } from './aadsts.ts';
export { redemptionError } from './redemption-error.ts';
