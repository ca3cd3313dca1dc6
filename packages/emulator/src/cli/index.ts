/** The emulator's command line, also used by the repository's `entrakit` command. */
export { emulatorCommand, EMULATOR_HELP } from './emulator-command.ts';
export { dataDirOption, parseCommandArgs, parsePort, untilSignal, UsageError } from './args.ts';
export { trustCommand, TRUST_HELP } from './trust-command.ts';
