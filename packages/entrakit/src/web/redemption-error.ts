import { AuthError, ServerError } from '@azure/msal-node';
import { EntrakitError, isEntrakitError } from '../core/errors.ts';

/**
 * What went wrong while MSAL redeemed the code, as a stable code. MSAL checks the nonce itself
 * (and throws nonce_mismatch) before our validator sees the token: same outcome, same code.
 */
export function redemptionError(error: unknown): EntrakitError {
  if (isEntrakitError(error)) return error;
  if (error instanceof ServerError) {
    return new EntrakitError('SIGNIN_CODE_REDEMPTION_FAILED', `The token endpoint answered ${error.errorCode}`, {
      status: 400,
      cause: error,
      details: { error: error.errorCode, errorDescription: error.errorMessage },
    });
  }
  if (error instanceof AuthError && error.errorCode === 'nonce_mismatch') {
    return new EntrakitError('TOKEN_NONCE_MISMATCH', 'Token nonce does not match this sign-in', { cause: error, details: { claim: 'nonce' } });
  }
  const code = error instanceof AuthError ? error.errorCode : 'unknown';
  return new EntrakitError('SIGNIN_CODE_REDEMPTION_FAILED', `MSAL could not redeem the code (${code})`, { cause: error });
}
