import { readFile } from 'node:fs/promises';
import { createDiscoveryClient } from 'entrakit';
import { decodeToken, explainClaims } from 'entrakit';
import { parseCommandArgs, UsageError } from '@entrakit/emulator/cli';

export const INSPECT_HELP = `Usage: entrakit inspect <jwt | -> [--discovery URL] [--json]

Decodes a JWT (read from the argument, or stdin with "-") and explains each claim: who the user
is, what the app may do, and the token's lifetime. With --discovery (an OpenID configuration URL)
it also checks the signature against that issuer's published keys. Never prints the signature.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function inspectCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { discovery: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) return void console.log(INSPECT_HELP);
  const source = positionals[0];
  if (!source) throw new UsageError('give a JWT, or "-" to read it from stdin');
  const token = (source === '-' ? await readStdin() : source.startsWith('@') ? await readFile(source.slice(1), 'utf8') : source).trim();
  const decoded = decodeToken(token);
  let signature = 'not checked (pass --discovery URL to check it)';
  if (values.discovery) {
    const { jwtVerify } = await import('jose');
    const client = createDiscoveryClient({});
    const metadata = await client.getMetadata(values.discovery);
    try {
      await jwtVerify(token, client.getKeySet(metadata.jwks_uri), { algorithms: ['RS256'] });
      signature = `valid (key ${String(decoded.header.kid)} from ${metadata.jwks_uri})`;
    } catch (error) {
      signature = `INVALID: ${(error as { code?: string }).code ?? (error as Error).message}`;
    }
  }
  const rows = explainClaims(decoded.payload);
  if (values.json) return void console.log(JSON.stringify({ header: decoded.header, claims: rows, signature }, null, 2));
  console.log(`header     ${JSON.stringify(decoded.header)}`);
  console.log(`signature  ${signature}`);
  const exp = typeof decoded.payload.exp === 'number' ? decoded.payload.exp : undefined;
  if (exp !== undefined) {
    const left = Math.round(exp - Date.now() / 1000);
    console.log(`expiry     ${new Date(exp * 1000).toISOString()} (${left >= 0 ? `in ${left}s` : `expired ${-left}s ago`})`);
  }
  const width = Math.max(...rows.map((r) => r.name.length), 5);
  for (const category of ['identity', 'authorization', 'token', 'unknown'] as const) {
    const group = rows.filter((r) => r.category === category);
    if (group.length === 0) continue;
    console.log(`\n${{ identity: 'Who the user is', authorization: 'What the app may do', token: 'The token itself', unknown: 'Other claims' }[category]}`);
    for (const r of group) console.log(`  ${r.name.padEnd(width)}  ${JSON.stringify(r.value)}  — ${r.meaning}`);
  }
}
