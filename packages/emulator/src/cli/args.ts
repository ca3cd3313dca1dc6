import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Thrown for bad command-line input; main prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util parseArgs, strict, with errors that name the bad option. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function parsePort(value: string | undefined, fallback: number, name = '--port'): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${name} must be a port number from 0 to 65535, got "${value}"`);
  return port;
}

/**
 * The data folder every command uses: `--data`, else ENTRAKIT_DATA (empty counts as unset), else
 * `.entrakit` in the working directory; absolute.
 */
export function dataDirOption(value: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (value !== undefined && value.trim() === '') throw new UsageError('--data must name a folder');
  return resolve(value ?? (env['ENTRAKIT_DATA']?.trim() || '.entrakit'));
}

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
