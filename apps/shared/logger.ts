import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

/** The apps' logger: pino, JSON lines, with secrets blanked wherever they appear. */
export type AppLogger = Logger;

/**
 * Paths pino blanks out wherever they appear. Tokens are never handed to the logger in the first
 * place; this list is the second line of defence for headers and protocol bodies.
 */
export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  '*.access_token',
  '*.id_token',
  '*.refresh_token',
  '*.code',
  '*.code_verifier',
  '*.client_secret',
  '*.client_assertion',
  '*.password',
  '*.accessToken',
  '*.idToken',
  '*.refreshToken',
  '*.clientSecret',
  'access_token',
  'id_token',
  'refresh_token',
  'code',
  'client_secret',
];

export function createAppLogger(options: { name?: string; level?: string; destination?: DestinationStream } = {}): AppLogger {
  const settings = { name: options.name ?? 'entrakit-web', level: options.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
