import { emulatorCommand } from './emulator-command.ts';
import { UsageError } from './args.ts';

/** `entrakit-emulator [...]`: exit 2 for bad usage, 1 for a failure, 0 after a clean stop. */
try {
  await emulatorCommand(process.argv.slice(2));
} catch (error) {
  const code = (error as { code?: unknown }).code;
  console.error(`entrakit-emulator: ${error instanceof Error ? error.message : String(error)}${typeof code === 'string' ? ` (${code})` : ''}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
