import { AadError } from '../protocol/aad-error.ts';

/**
 * Entra ties SPA grants to the browser: a code or refresh token issued to a SPA redirect URI is
 * redeemed only cross-origin (with an Origin header, AADSTS9002327 otherwise), and no other client
 * may redeem from a browser (AADSTS9002326).
 */
export function checkRedemptionOrigin(spa: boolean, origin: string | undefined): void {
  if (spa && origin === undefined) {
    throw new AadError(9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.");
  }
  if (!spa && origin !== undefined) {
    throw new AadError(9002326, `Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${origin.slice(0, 200)}'.`);
  }
}
