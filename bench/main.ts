// `npm run bench -- emulator | api | signin | all [options]` (default all). Results: printed tables + a JSON file.
import { apiBench } from './api.ts';
import { emulatorBench } from './emulator.ts';
import { signinBench } from './signin.ts';

const benches: Record<string, (argv: string[]) => Promise<void>> = {
  emulator: emulatorBench,
  api: apiBench,
  signin: signinBench,
};

const which = process.argv[2] ?? 'all';
const options = process.argv.slice(3); // e.g. signin --users 200 --concurrency 8,50
const selected = which === 'all' ? Object.keys(benches) : [which];
for (const name of selected) {
  const run = benches[name];
  if (!run) {
    console.error(`unknown benchmark "${name}"; use one of: ${Object.keys(benches).join(', ')}, all`);
    process.exit(2);
  }
  console.log(`\n=== bench: ${name} ===`);
  await run(options);
}
