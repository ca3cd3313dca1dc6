import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

export type WebLogger = Logger;

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

export function createWebLogger(options: { level?: string; destination?: DestinationStream } = {}): WebLogger {
  const settings = { name: 'entrakit-web', level: options.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
