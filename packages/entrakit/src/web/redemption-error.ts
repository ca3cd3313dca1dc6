import { AuthError, ServerError } from '@azure/msal-node';
import { EntrakitError, isEntrakitError } from '../core/errors.ts';
import { aadstsCode, explainAadsts } from './aadsts.ts';

/**
 * What went wrong while MSAL redeemed the code, as a stable code. MSAL checks the nonce itself
 * (and throws nonce_mismatch) before our validator sees the token: same outcome, same code.
 */
export function redemptionError(error: unknown): EntrakitError {
  if (isEntrakitError(error)) return error;
  if (error instanceof ServerError) {
    // The AADSTS code and what it means, when known: "invalid_client" alone does not say what to fix.
    const aadsts = aadstsCode(error.errorMessage);
    const explanation = explainAadsts(aadsts);
    const message = `The token endpoint answered ${error.errorCode}${aadsts ? ` (AADSTS${aadsts})` : ''}${explanation ? `: ${explanation}` : ''}`;
    return new EntrakitError('SIGNIN_CODE_REDEMPTION_FAILED', message, {
      status: 400,
      cause: error,
      details: { error: error.errorCode, errorDescription: error.errorMessage, ...(aadsts ? { aadsts } : {}) },
    });
  }
  if (error instanceof AuthError && error.errorCode === 'nonce_mismatch') {
    return new EntrakitError('TOKEN_NONCE_MISMATCH', 'Token nonce does not match this sign-in', { cause: error, details: { claim: 'nonce' } });
  }
  const code = error instanceof AuthError ? error.errorCode : 'unknown';
  return new EntrakitError('SIGNIN_CODE_REDEMPTION_FAILED', `MSAL could not redeem the code (${code})`, { cause: error });
}
