import { pino } from 'pino';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';
import { prettyLogStream } from './pretty-log.ts';

/** The apps' logger: pino, JSON lines, with secrets blanked wherever they appear. */
export type AppLogger = Logger;

/** `json`: one JSON object a line (for log collectors); `pretty`: readable lines for a terminal. */
export type LogFormat = 'json' | 'pretty';

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

/** The message the web app's per-request line carries. */
export const REQUEST_LINE_MESSAGE = 'request';

export interface AppLoggerOptions {
  name?: string;
  level?: string;
  /** Where lines go (default stdout); always JSON unless format says otherwise. */
  destination?: DestinationStream;
  /** Default: LOG_FORMAT, else pretty when stdout is a terminal and JSON when it is not. */
  format?: LogFormat;
  /** false drops the one-line-per-request entries (entrakit dev: the request log page has them). */
  requestLines?: boolean;
}

/** `--log-format` or LOG_FORMAT, checked; undefined leaves the choice to the terminal test. */
export function parseLogFormat(value: string | undefined, name = 'LOG_FORMAT'): LogFormat | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'json' || value === 'pretty') return value;
  throw new Error(`${name} must be "json" or "pretty", got "${value}"`);
}

export function createAppLogger(options: AppLoggerOptions = {}): AppLogger {
  const settings: LoggerOptions = { name: options.name ?? 'entrakit-web', level: options.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (options.requestLines === false) {
    settings.hooks = {
      logMethod(args, method) {
        if (args.some((arg) => arg === REQUEST_LINE_MESSAGE)) return;
        method.apply(this, args);
      },
    };
  }
  if (options.destination) {
    return pino(settings, options.format === 'pretty' ? prettyLogStream(options.destination) : options.destination);
  }
  const format = options.format ?? parseLogFormat(process.env['LOG_FORMAT']) ?? (process.stdout.isTTY ? 'pretty' : 'json');
  return format === 'pretty' ? pino(settings, prettyLogStream(process.stdout)) : pino(settings);
}
