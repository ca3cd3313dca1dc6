// Express + express-jwt + jwks-rsa verifying the same tokens: issuer, audience, RS256, against the emulator's JWKS.
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { expressjwt, type Request as JwtRequest } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
import { serveFromParent } from '../lib/server-process.ts';

export interface VerifierInput {
  jwksUri: string;
  issuer: string;
  audience: string;
  caPem: string;
}

serveFromParent<VerifierInput, { url: string }>(async ({ jwksUri, issuer, audience, caPem }) => {
  const app = express();
  const secret = jwksRsa.expressJwtSecret({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10, requestAgent: new Agent({ ca: caPem }) });
  app.get('/api/me', expressjwt({ secret, issuer, audience, algorithms: ['RS256'] }), (req: JwtRequest, res) => {
    res.json({ oid: req.auth?.['oid'], tid: req.auth?.['tid'], scp: req.auth?.['scp'] });
  });
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
