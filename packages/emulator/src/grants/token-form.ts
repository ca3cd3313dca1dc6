import { AadError } from '../protocol/aad-error.ts';

/** The token request's form parameters; empty values count as absent, as in Entra. */
export interface TokenForm {
  get(name: string): string | undefined;
  require(name: string): string;
}

const MAX_PARAMS = 64;

/**
 * Parses `application/x-www-form-urlencoded`. Anything else reads as an empty form, so the caller
 * answers 900144 for the missing grant_type, like Entra. Repeated parameters are refused rather
 * than silently picking one (parameter pollution).
 */
export function parseTokenForm(contentType: string | undefined, body: string): TokenForm {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  const values = new Map<string, string>();
  if (mediaType === 'application/x-www-form-urlencoded') {
    const params = new URLSearchParams(body);
    let count = 0;
    for (const [name, value] of params) {
      if (++count > MAX_PARAMS) throw new AadError(9002313, 'Invalid request. Request is malformed or invalid: too many parameters.');
      if (values.has(name)) throw new AadError(9002313, `Invalid request. Request is malformed or invalid: the parameter '${name.slice(0, 64)}' is duplicated.`);
      values.set(name, value);
    }
  }
  const get = (name: string): string | undefined => {
    const value = values.get(name);
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    get,
    require(name) {
      const value = get(name);
      if (value === undefined) throw new AadError(900144, `The request body must contain the following parameter: '${name}'.`);
      return value;
    },
  };
}
