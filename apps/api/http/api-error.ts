import type { Context } from 'hono';
import { EntrakitError, httpProblem } from 'entrakit';
import type { ChallengeParams } from 'entrakit';

/** How an API error answers: its status, OAuth-style `error`, and Bearer challenge if any. */
export interface ApiErrorAnswer {
  status: number;
  /** snake_case `error` of the JSON body (and of the challenge). */
  error: string;
  /** Present when the client must act (new token, claims, consent): sent as WWW-Authenticate. */
  challenge?: ChallengeParams;
  /** Extra JSON body fields, e.g. `claims`. */
  bodyFields?: Record<string, string>;
  cause?: unknown;
}

/** The API's own error codes (docs/errors.md), rendered by the library's one renderer. */
export function apiError(code: string, description: string, answer: ApiErrorAnswer): EntrakitError {
  const { status, error, challenge, bodyFields, cause } = answer;
  return new EntrakitError(code, description, {
    status,
    oauthError: error,
    ...(challenge ? { challenge } : {}),
    ...(bodyFields ? { bodyFields } : {}),
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Renders errors raised by routes through `httpProblem`: ours with their status, body and
 * challenge; anything else as a 500 whose body says nothing about the cause (logged by the
 * caller, never with tokens).
 */
export function renderApiError(c: Context, error: unknown, realm: string): Response {
  const { status, headers, body } = httpProblem(error, { realm });
  c.header('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json(body, status as 400);
}
