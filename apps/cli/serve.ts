import { untilSignal, UsageError } from '@entrakit/emulator/cli';
import { parseLogFormat } from '../shared/logger.ts';

/**
 * `--log-format json|pretty` for a command that runs one app: it becomes LOG_FORMAT, which the
 * app's logger reads (without either, pretty on a terminal and JSON otherwise).
 */
export function applyLogFormat(value: string | undefined): void {
  try {
    const format = parseLogFormat(value, '--log-format');
    if (format) process.env['LOG_FORMAT'] = format;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

interface Running {
  close(): Promise<void>;
}

/**
 * The one way the apps run from the command line: start, print where, serve until Ctrl-C or
 * SIGTERM, close. A failure to start (a bad configuration names the setting) or to stop is
 * thrown, and the `entrakit` command prints it and exits 1; a clean stop exits 0.
 */
export async function serveUntilSignal<T extends Running>(label: string, start: () => Promise<T>, describe: (running: T) => string[]): Promise<void> {
  const running = await start();
  for (const line of describe(running)) console.log(line);
  const signal = await untilSignal();
  console.log(`\n${signal}: stopping the ${label}`);
  await running.close();
}
