import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalTls } from '../tls/local-ca.ts';
import { addToNss, caIdentity, findCertutil, nssDatabases, removeFromNss, systemStorePlan } from '../tls/trust-store.ts';
import { dataDirOption, parseCommandArgs } from './args.ts';

export const TRUST_HELP = `Usage: entrakit-emulator trust [--data .entrakit] [--uninstall] [--no-system]

Trusts the emulator's local CA (DATA/ca.pem, created when missing) on this machine, so browsers
and tools accept https://localhost without a warning:
  - the system store: Debian/Ubuntu (update-ca-certificates) and Fedora (update-ca-trust), as
    root or through sudo; on macOS and Windows the exact command to run is printed;
  - on Linux, the NSS databases Chromium ($HOME/.pki/nssdb, created when missing) and Firefox
    (each profile) read, with certutil (Debian/Ubuntu package libnss3-tools, Fedora nss-tools).
Then prints the NODE_EXTRA_CA_CERTS and REQUESTS_CA_BUNDLE lines for Node and Python.

  --data DIR    the data folder holding ca.pem (default: ENTRAKIT_DATA, or .entrakit)
  --uninstall   remove the CA from the same places
  --no-system   leave the system store alone (no root needed; browsers only)
Exits 0 when every part succeeded, 1 when a part failed (each failure is named).`;

/** What one trust run did, for the caller to print; failures make the command exit 1. */
interface Outcome {
  done: string[];
  todo: string[];
  failed: string[];
  systemBundle?: string;
}

export async function trustCommand(argv: string[], io: { home?: string; log?: (line: string) => void } = {}): Promise<void> {
  const { values } = parseCommandArgs(argv, {
    data: { type: 'string' },
    uninstall: { type: 'boolean' },
    'no-system': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const log = io.log ?? ((line: string) => console.log(line));
  if (values.help) return void log(TRUST_HELP);
  const dataDir = dataDirOption(values.data);
  const caFile = join(dataDir, 'ca.pem');
  const uninstall = values.uninstall === true;
  if (uninstall && !existsSync(caFile)) throw new Error(`${caFile} does not exist: nothing to remove (pass the --data folder the CA came from)`);
  const caPem = uninstall ? readFileSync(caFile, 'utf8') : (await ensureLocalTls(dataDir)).caPem;
  const identity = caIdentity(caPem);
  const outcome: Outcome = { done: [], todo: [], failed: [] };

  if (!values['no-system']) systemStore(caFile, identity, uninstall, outcome);
  if (process.platform === 'linux') await browserStores(caFile, identity.nickname, io.home ?? homedir(), uninstall, outcome);

  log(`${uninstall ? 'Removing' : 'Trusting'} the local CA ${caFile} (SHA-256 ${identity.fingerprint.slice(0, 16)}…)`);
  for (const line of outcome.done) log(`  ✓ ${line}`);
  if (outcome.todo.length > 0) {
    log(`\nRun ${outcome.todo.length === 1 ? 'this' : 'these'} yourself:`);
    for (const line of outcome.todo) log(`  ${line}`);
  }
  if (!uninstall) {
    log(`\nFor Node and Python clients (they do not read the browsers' stores):`);
    log(`  export NODE_EXTRA_CA_CERTS="${caFile}"`);
    // REQUESTS_CA_BUNDLE replaces Python's whole bundle: the system bundle keeps every other site
    // working; the CA file alone trusts only the emulator.
    log(`  export REQUESTS_CA_BUNDLE="${outcome.systemBundle ?? caFile}"${outcome.systemBundle ? '' : '  # trusts only the emulator; use a bundle that also holds your other CAs if Python calls other sites'}`);
  }
  if (outcome.failed.length > 0) throw new Error(`${outcome.failed.length === 1 ? 'one part' : `${outcome.failed.length} parts`} failed:\n  - ${outcome.failed.join('\n  - ')}`);
}

function systemStore(caFile: string, identity: ReturnType<typeof caIdentity>, uninstall: boolean, outcome: Outcome): void {
  const plan = systemStorePlan(caFile, identity, { platform: process.platform, uninstall });
  if (plan.kind === 'print') {
    outcome.todo.push(...plan.commands.map((command) => `${command}    # ${plan.store}`));
    return;
  }
  const file = plan.file!;
  if (uninstall && !existsSync(file)) return void outcome.done.push(`not in ${plan.store}`);
  if (!uninstall && existsSync(file) && readFileSync(file, 'utf8') === readFileSync(caFile, 'utf8')) {
    outcome.done.push(`already in ${plan.store}`);
    outcome.systemBundle = systemBundle();
    return;
  }
  const asRoot = process.getuid?.() === 0;
  const sudo = asRoot ? [] : ['sudo'];
  const steps = [uninstall ? { file: 'rm', args: ['-f', file] } : { file: 'install', args: ['-m', '0644', caFile, file] }, ...plan.commands];
  if (!asRoot && !existsSync('/usr/bin/sudo') && !existsSync('/bin/sudo')) {
    outcome.failed.push(`${plan.store} needs root and sudo is not installed; as root run: ${steps.map((s) => [s.file, ...s.args].join(' ')).join(' && ')}`);
    return;
  }
  try {
    for (const step of steps) {
      const [file2, ...args] = [...sudo, step.file, ...step.args];
      execFileSync(file2!, args, { stdio: ['inherit', 'pipe', 'pipe'] });
    }
    outcome.done.push(`${uninstall ? 'removed from' : 'added to'} ${plan.store}`);
    if (!uninstall) outcome.systemBundle = systemBundle();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    outcome.failed.push(`${plan.store}: ${stderr || (error instanceof Error ? error.message : String(error))}`);
  }
}

function systemBundle(): string | undefined {
  return ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'].find((path) => existsSync(path));
}

async function browserStores(caFile: string, nickname: string, home: string, uninstall: boolean, outcome: Outcome): Promise<void> {
  const certutil = findCertutil();
  if (!certutil) {
    outcome.failed.push('certutil was not found, so Chromium and Firefox cannot be told to trust the CA: install libnss3-tools (Debian/Ubuntu: sudo apt install libnss3-tools; Fedora: sudo dnf install nss-tools) and run trust again');
    return;
  }
  for (const db of nssDatabases(home)) {
    try {
      if (uninstall) {
        outcome.done.push(`${removeFromNss(certutil, db.dir, nickname) ? 'removed from' : 'not in'} ${db.label} (${db.dir})`);
      } else {
        await addToNss(certutil, db, caFile, nickname);
        outcome.done.push(`added to ${db.label} (${db.dir}); restart the browser if it is open`);
      }
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
      outcome.failed.push(`${db.label} (${db.dir}): ${stderr || (error instanceof Error ? error.message : String(error))}`);
    }
  }
}
