// Runs `entrakit web` (webCommand) as a child process would: node run-web-cli.ts [args...]
import { webCommand } from '../../../cli/web.ts';

await webCommand(process.argv.slice(2));
