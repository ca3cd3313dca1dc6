import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createDiscoveryClient, decodeToken, explainClaims, tokenKind, trustCaCertificate } from 'entrakit';
import { devJsonPath, readDevJson } from '@entrakit/emulator';
import { parseCommandArgs, UsageError } from '@entrakit/emulator/cli';

export const INSPECT_HELP = `Usage: entrakit inspect <jwt | "Bearer <jwt>" | @file | -> [--discovery URL] [--data DIR] [--json]

Decodes a JWT (the argument, a file with @path, or stdin with "-"; a pasted "Bearer …" or
"Authorization: Bearer …" is accepted) and says what kind of token it is (ID token, delegated
access token v1/v2, app-only, Microsoft Graph), then explains each claim, with times as dates.
With --discovery (an OpenID configuration URL) it also checks the signature against that issuer's
published keys; the data folder's CA (dev.json, --data or ENTRAKIT_DATA or .entrakit) is trusted
for the emulator. Exits 1 when the signature is INVALID. Never prints the signature.`;

const TIME_CLAIMS = new Set(['iat', 'nbf', 'exp', 'auth_time']);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Strips what people paste along with a token: "Authorization:", "Bearer", quotes, whitespace. */
export function cleanPastedToken(text: string): string {
  return text
    .trim()
    .replace(/^authorization\s*:\s*/i, '')
    .replace(/^bearer\s+/i, '')
    .replace(/^["']|["']$/g, '')
    .trim();
}

export function formatClaimValue(name: string, value: unknown, nowMs = Date.now()): string {
  if (TIME_CLAIMS.has(name) && typeof value === 'number') {
    const left = Math.round(value - nowMs / 1000);
    const when = name === 'exp' ? (left >= 0 ? ` (in ${left}s)` : ` (expired ${-left}s ago)`) : '';
    return `${new Date(value * 1000).toISOString()}${when}  [${value}]`;
  }
  return JSON.stringify(value);
}

/** Warnings about the token itself, in plain words. */
export function tokenWarnings(header: Record<string, unknown>): string[] {
  const warnings: string[] = [];
  if (String(header['alg']).toLowerCase() === 'none') warnings.push('alg is "none": the token is unsigned. Anyone can write one; no validator may accept it.');
  else if (header['alg'] !== 'RS256') warnings.push(`alg is "${String(header['alg'])}": Entra signs with RS256 only; a validator must refuse other algorithms (HS256 with the public key is a classic forgery).`);
  if ('nonce' in header) {
    warnings.push('The header has a "nonce": this is a Microsoft Graph token. Graph hashes the nonce before checking the signature, so any other validator sees an invalid signature. Only Graph can validate it; your app must treat it as opaque.');
  }
  return warnings;
}

async function trustDataFolderCa(dataOption: string | undefined): Promise<string | undefined> {
  const dataDir = resolve(dataOption ?? process.env['ENTRAKIT_DATA'] ?? '.entrakit');
  if (!existsSync(devJsonPath(dataDir))) return undefined;
  const caFile = (await readDevJson(dataDir)).emulator?.caFile;
  if (!caFile || !existsSync(caFile)) return undefined;
  trustCaCertificate(await readFile(caFile, 'utf8'));
  return caFile;
}

export async function inspectCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { discovery: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) return void console.log(INSPECT_HELP);
  // A pasted "Bearer eyJ…" arrives as two arguments.
  const source = positionals.join(' ');
  if (!source) throw new UsageError('give a JWT, "@file", or "-" to read it from stdin');
  const token = cleanPastedToken(source === '-' ? await readStdin() : source.startsWith('@') ? await readFile(source.slice(1), 'utf8') : source);
  const decoded = decodeToken(token);
  const kind = tokenKind(decoded.header, decoded.payload);
  const warnings = tokenWarnings(decoded.header);
  let signature = 'not checked (pass --discovery URL to check it)';
  let invalid = false;
  if (values.discovery) {
    const ca = await trustDataFolderCa(values.data);
    const { jwtVerify } = await import('jose');
    const client = createDiscoveryClient({});
    const metadata = await client.getMetadata(values.discovery);
    try {
      await jwtVerify(token, client.getKeySet(metadata.jwks_uri), { algorithms: ['RS256'] });
      signature = `valid (key ${String(decoded.header.kid)} from ${metadata.jwks_uri})`;
    } catch (error) {
      invalid = true;
      const reason = (error as { code?: string }).code ?? (error as Error).message;
      signature = `INVALID: ${reason}${kind.graph ? ' (expected for a Graph token: see the warning)' : ''}`;
    }
    if (ca) signature += `; trusted the emulator CA ${ca}`;
  }
  const rows = explainClaims(decoded.payload);
  if (values.json) {
    console.log(JSON.stringify({ kind, header: decoded.header, claims: rows, signature, warnings }, null, 2));
  } else {
    console.log(`kind       ${kind.label}`);
    console.log(`header     ${JSON.stringify(decoded.header)}`);
    console.log(`signature  ${signature}`);
    for (const warning of warnings) console.log(`WARNING    ${warning}`);
    const width = Math.max(...rows.map((r) => r.name.length), 5);
    for (const category of ['identity', 'authorization', 'token', 'unknown'] as const) {
      const group = rows.filter((r) => r.category === category);
      if (group.length === 0) continue;
      console.log(`\n${{ identity: 'Who the user is', authorization: 'What the app may do', token: 'The token itself', unknown: 'Other claims' }[category]}`);
      for (const r of group) console.log(`  ${r.name.padEnd(width)}  ${formatClaimValue(r.name, r.value)}  — ${r.meaning}`);
    }
  }
  if (invalid) throw new Error('the signature is INVALID');
}
