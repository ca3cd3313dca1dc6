// One Express 5 app: express-jwt + jwks-rsa on /api/me, entrakit's Express adapter on
// /entrakit/me (the same issuer, audience and RS256 rule, plus the route's scope-or-role
// requirement), the same handler without authentication (/open/me) and behind a no-op middleware
// (/noop/me).
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { expressjwt, type Request as JwtRequest } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
import { trustCaCertificate } from 'entrakit';
import { createBearerAuthenticator } from 'entrakit/bearer';
import { bearerAuth, bearerErrorHandler } from 'entrakit/bearer/express';
import { serveFromParent } from '../lib/server-process.ts';

export interface VerifierInput {
  jwksUri: string;
  issuer: string;
  audience: string;
  caPem: string;
}

serveFromParent<VerifierInput, { url: string }>(async ({ jwksUri, issuer, audience, caPem }) => {
  trustCaCertificate(caPem);
  const app = express();
  const secret = jwksRsa.expressJwtSecret({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10, requestAgent: new Agent({ ca: caPem }) });
  app.get('/api/me', expressjwt({ secret, issuer, audience, algorithms: ['RS256'] }), (req: JwtRequest, res) => {
    res.json({ oid: req.auth?.['oid'], tid: req.auth?.['tid'], scp: req.auth?.['scp'] });
  });
  const authenticator = createBearerAuthenticator({ issuers: [{ issuer, jwksUri }], audiences: [audience, `api://${audience}`] });
  const me = (req: Request, res: Response) => {
    res.json({ oid: req.auth?.objectId ?? null, kind: req.auth?.kind ?? null });
  };
  app.get('/entrakit/me', bearerAuth(authenticator, { scopes: ['user_impersonation'], roles: ['Api.Admin'] }), me);
  app.get('/open/me', me);
  app.get('/noop/me', (_req: Request, _res: Response, next: NextFunction) => next(), me);
  app.use(bearerErrorHandler());
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    info: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
});
