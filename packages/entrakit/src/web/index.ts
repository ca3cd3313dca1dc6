/**
 * Building blocks for a web app that signs users in with Entra ID: where to send the user back to
 * after sign-in, the identity provider's metadata, the network client MSAL uses, and what an
 * AADSTS code or a failed code redemption means for the user.
 */
export { safeReturnTo } from './return-to.ts';
export { createIdentityProvider } from './identity-provider.ts';
export type { IdentityProvider } from './identity-provider.ts';
export { createFetchNetworkClient } from './fetch-network-client.ts';
export { aadstsCode, explainAadsts } from './aadsts.ts';
export { redemptionError } from './redemption-error.ts';
