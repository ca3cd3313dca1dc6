/**
 * `entrakit/bearer/fastify`: bearer authentication for Fastify. `bearerAuthPlugin` decorates
 * requests with `auth` (the verified caller, null until checked); `bearerAuth(authenticator,
 * requirement)` is a preHandler hook. A failure is answered from the hook with the RFC 6750
 * answer every entrakit adapter gives (as @fastify/bearer-auth answers its own failures), and the
 * server-side ones also reach the authenticator's `onFailure`. Fastify itself is not imported.
 */
import type {} from 'fastify';
import type { Principal } from '../core/tokens/principal.ts';
import type { BearerAuthenticator } from './authenticate.ts';
import { adapterCheck } from './adapter-check.ts';
import type { RouteRequirement } from './bearer-policy.ts';
import { bearerProblem } from './problem.ts';
import { authorizationFromRawHeaders } from './read-bearer-token.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, set by entrakit's bearerAuth preHandler (null before it ran). */
    auth: Principal | null;
  }
}

/** The parts of Fastify's request and reply the hook uses. */
export interface BearerFastifyRequest {
  raw: { rawHeaders: string[] };
  auth?: Principal | null;
}
interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(body: unknown): unknown;
}
interface FastifyLike {
  decorateRequest(name: string, value: null): unknown;
  hasRequestDecorator(name: string): boolean;
}

/**
 * Registers the `request.auth` decorator (Fastify wants request properties declared up front).
 * Not encapsulated, so routes in every context see it: `app.register(bearerAuthPlugin)`.
 */
export const bearerAuthPlugin = Object.assign(
  function bearerAuthPlugin(fastify: FastifyLike, _options: unknown, done: (error?: Error) => void): void {
    if (!fastify.hasRequestDecorator('auth')) fastify.decorateRequest('auth', null);
    done();
  },
  { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'entrakit-bearer-auth' },
);

/** A Fastify preHandler: authenticates, enforces `requirement`, sets `request.auth`. */
export function bearerAuth(
  authenticator: BearerAuthenticator,
  requirement?: RouteRequirement,
): (request: BearerFastifyRequest, reply: FastifyReplyLike, done: (error?: Error) => void) => void {
  const check = adapterCheck(authenticator, requirement);
  return function bearerAuthPreHandler(request, reply, done) {
    // request.headers keeps only the first of repeated Authorization headers; the raw list has all.
    check.run(
      authorizationFromRawHeaders(request.raw.rawHeaders),
      (principal) => {
        request.auth = principal;
        done();
      },
      (error) => {
        const { status, headers, body } = bearerProblem(error, check.realm);
        reply.code(status).headers(headers).send(body);
      },
    );
  };
}
