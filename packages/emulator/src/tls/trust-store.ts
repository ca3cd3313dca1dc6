import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where the local CA gets trusted, as mkcert's -install does: the operating system's store (so
 * curl, Python and most tools trust it) and, on Linux, the NSS databases Chromium
 * ($HOME/.pki/nssdb) and Firefox (each profile) read, since neither reads the system store there.
 */

/** One command the trust step runs (or, where it cannot, prints for the user to run). */
export interface TrustCommand {
  file: string;
  args: string[];
}

export interface CaIdentity {
  /** SHA-256 fingerprint, hex without colons: what tells two data folders' CAs apart. */
  fingerprint: string;
  serialNumber: string;
  /** The NSS nickname and the system store file name carry the fingerprint's first 12 digits. */
  nickname: string;
  systemFileName: string;
}

export function caIdentity(caPem: string): CaIdentity {
  const cert = new X509Certificate(caPem);
  const fingerprint = cert.fingerprint256.replace(/:/g, '').toLowerCase();
  const short = fingerprint.slice(0, 12);
  return { fingerprint, serialNumber: cert.serialNumber, nickname: `entrakit local CA ${short}`, systemFileName: `entrakit-local-ca-${short}.crt` };
}

/** Debian and Ubuntu read extra CAs from here (update-ca-certificates). */
export const DEBIAN_CA_DIR = '/usr/local/share/ca-certificates';
/** Fedora and RHEL read extra CAs from here (update-ca-trust). */
export const FEDORA_CA_DIR = '/etc/pki/ca-trust/source/anchors';

export type SystemStorePlan =
  /** Commands this process can run (as root, or through sudo). */
  | { kind: 'run'; store: string; file?: string; commands: TrustCommand[] }
  /** Commands the user must run (another operating system, or no known store). */
  | { kind: 'print'; store: string; commands: string[] };

/** What adding (or removing) the CA in the operating system's store takes on this platform. */
export function systemStorePlan(
  caFile: string,
  identity: CaIdentity,
  options: { platform: NodeJS.Platform; uninstall: boolean; has?: (path: string) => boolean },
): SystemStorePlan {
  const { platform, uninstall, has = existsSync } = options;
  if (platform === 'darwin') {
    return {
      kind: 'print',
      store: 'the macOS System keychain',
      commands: [uninstall ? `sudo security remove-trusted-cert -d "${caFile}"` : `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain "${caFile}"`],
    };
  }
  if (platform === 'win32') {
    return {
      kind: 'print',
      store: 'the Windows Trusted Root store (from an administrator prompt)',
      commands: [uninstall ? `certutil -delstore ROOT ${identity.serialNumber}` : `certutil -addstore -f ROOT "${caFile}"`],
    };
  }
  if (platform === 'linux' && has(DEBIAN_CA_DIR) && has('/usr/sbin/update-ca-certificates')) {
    const file = join(DEBIAN_CA_DIR, identity.systemFileName);
    return { kind: 'run', store: `the system store (${file})`, file, commands: [{ file: 'update-ca-certificates', args: [] }] };
  }
  if (platform === 'linux' && has(FEDORA_CA_DIR) && (has('/usr/bin/update-ca-trust') || has('/usr/sbin/update-ca-trust'))) {
    const file = join(FEDORA_CA_DIR, identity.systemFileName);
    return { kind: 'run', store: `the system store (${file})`, file, commands: [{ file: 'update-ca-trust', args: ['extract'] }] };
  }
  return {
    kind: 'print',
    store: 'the system store (no update-ca-certificates or update-ca-trust found)',
    commands: [`add ${caFile} to your system's trusted CAs as its documentation describes`],
  };
}

/** The NSS databases to change: Chromium's (created when missing) and each Firefox profile found. */
export function nssDatabases(home: string, has: (path: string) => boolean = existsSync): { dir: string; create: boolean; label: string }[] {
  const found = [{ dir: join(home, '.pki', 'nssdb'), create: true, label: 'Chromium (and Chrome)' }];
  for (const root of [join(home, '.mozilla', 'firefox'), join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox')]) {
    if (!has(root)) continue;
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      const dir = join(root, entry.name);
      if (entry.isDirectory() && has(join(dir, 'cert9.db'))) found.push({ dir, create: false, label: `Firefox profile ${entry.name}` });
    }
  }
  return found;
}

/** certutil from NSS (libnss3-tools), or undefined. */
export function findCertutil(has: (path: string) => boolean = existsSync): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir && has(join(dir, 'certutil'))) return join(dir, 'certutil');
  }
  return undefined;
}

/** True when the NSS database at dir holds the CA under its nickname. */
export function nssHasCa(certutil: string, dir: string, nickname: string): boolean {
  return spawnSync(certutil, ['-d', `sql:${dir}`, '-L', '-n', nickname], { stdio: 'ignore' }).status === 0;
}

export async function addToNss(certutil: string, db: { dir: string; create: boolean }, caFile: string, nickname: string): Promise<void> {
  if (!existsSync(join(db.dir, 'cert9.db'))) {
    if (!db.create) return;
    await mkdir(db.dir, { recursive: true, mode: 0o700 });
    execFileSync(certutil, ['-d', `sql:${db.dir}`, '-N', '--empty-password'], { stdio: 'pipe' });
  }
  if (nssHasCa(certutil, db.dir, nickname)) return;
  // C,, : a trusted CA for TLS server certificates only.
  execFileSync(certutil, ['-d', `sql:${db.dir}`, '-A', '-t', 'C,,', '-n', nickname, '-i', caFile], { stdio: 'pipe' });
}

/** Removes the CA; true when it was there. */
export function removeFromNss(certutil: string, dir: string, nickname: string): boolean {
  if (!existsSync(join(dir, 'cert9.db')) || !nssHasCa(certutil, dir, nickname)) return false;
  execFileSync(certutil, ['-d', `sql:${dir}`, '-D', '-n', nickname], { stdio: 'pipe' });
  return true;
}

/**
 * A cheap answer to "does this machine trust the CA yet?", for `entrakit dev` to suggest `trust`:
 * on Linux, the system store file and the Chromium NSS entry (one certutil call when certutil is
 * installed); elsewhere undefined (not known without asking the OS's tools).
 */
export function isCaTrusted(caPem: string, options: { home: string; platform?: NodeJS.Platform }): boolean | undefined {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') return undefined;
  const identity = caIdentity(caPem);
  const plan = systemStorePlan('', identity, { platform, uninstall: false });
  if (plan.kind === 'run' && plan.file && !existsSync(plan.file)) return false;
  // Without certutil the browsers' database cannot have been given the CA by `trust`.
  const certutil = findCertutil();
  return certutil !== undefined && nssHasCa(certutil, join(options.home, '.pki', 'nssdb'), identity.nickname);
}
