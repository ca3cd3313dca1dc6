import { Buffer } from 'node:buffer';
import { httpProblem } from '../core/http-problem.ts';
import type { LibraryError } from '../core/errors.ts';

/** A failed bearer check as every adapter answers it: RFC 6750 status, headers and JSON body. */
export interface BearerProblem {
  status: number;
  /** `WWW-Authenticate` when the code challenges, and always `Cache-Control: no-store`. */
  headers: Record<string, string>;
  body: { error: string; error_description: string } & Record<string, string>;
}

export function bearerProblem(error: unknown, realm: string): BearerProblem {
  const { status, headers, body } = httpProblem(error, { realm });
  return { status, headers: { ...headers, 'Cache-Control': 'no-store' }, body };
}

/** The problem as a web-standard JSON Response (with its length, as a c.json answer has). */
export function problemResponse(problem: BearerProblem): Response {
  const json = JSON.stringify(problem.body);
  return new Response(json, {
    status: problem.status,
    headers: { ...problem.headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(json)) },
  });
}

/**
 * What the Express and Fastify adapters hand to the framework's error path (as express-jwt's
 * UnauthorizedError does): the HTTP answer (`status`/`statusCode`, `headers`, `body`) and the
 * library error as `cause`, whose `code` says why.
 */
export class BearerAuthError extends Error {
  override readonly name = 'BearerAuthError';
  readonly code: LibraryError['code'];
  readonly status: number;
  /** Same as `status`, under the name Fastify and http-errors read. */
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: BearerProblem['body'];
  /** 4xx descriptions are meant for the client; 5xx ones are not. */
  readonly expose: boolean;
  declare readonly cause: LibraryError;

  constructor(error: LibraryError, realm: string) {
    const problem = bearerProblem(error, realm);
    super(problem.body.error_description, { cause: error });
    this.code = error.code;
    this.status = problem.status;
    this.statusCode = problem.status;
    this.headers = Object.freeze(problem.headers);
    this.body = problem.body;
    this.expose = problem.status < 500;
  }
}
