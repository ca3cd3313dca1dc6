import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createDiscoveryClient, decodeToken, explainClaims, tokenKind, trustCaCertificate } from 'entrakit';
import { checkRequiredClaims, createBearerAuthenticator, policyFromApimXml } from 'entrakit/bearer';
import type { BearerPolicy } from 'entrakit/bearer';
import { devJsonPath, readDevJson } from '@entrakit/emulator';
import { dataDirOption, parseCommandArgs, UsageError } from '@entrakit/emulator/cli';

export const INSPECT_HELP = `Usage: entrakit inspect <jwt | "Bearer <jwt>" | @file | -> [--discovery URL] [--policy FILE] [--data DIR] [--json]

Decodes a JWT (the argument, a file with @path, or stdin with "-"; a pasted "Bearer …" or
"Authorization: Bearer …" is accepted) and says what kind of token it is (ID token, delegated
access token v1/v2, app-only, Microsoft Graph), then explains each claim, with times as dates.
With --discovery (an OpenID configuration URL) it also checks the signature against that issuer's
published keys; the data folder's CA (dev.json, --data or ENTRAKIT_DATA or .entrakit) is trusted
for the emulator. Exits 1 when the signature is INVALID. Never prints the signature.

With --policy FILE (an API Management policy with a <validate-jwt> element, or a JSON bearer
policy) it runs the API's full check and prints each check's verdict (format, algorithm, issuer,
signature, lifetime, audience, tenant, token claims, each required claim); exits 1 when the
policy refuses the token (or its keys cannot be fetched), 2 when the policy cannot be enforced.`;

interface PolicyCheck {
  check: string;
  verdict: 'pass' | 'FAIL' | 'not reached';
  detail?: string;
}

const CHECK_ORDER = ['format', 'algorithm', 'issuer', 'signature', 'lifetime', 'audience', 'tenant', 'token claims'] as const;

/** Which check a refusal code (and the claim it names) belongs to. */
function failedCheck(code: string, claim: unknown): (typeof CHECK_ORDER)[number] | 'required claims' {
  if (code === 'BEARER_CLAIM_REQUIRED') return 'required claims';
  if (code === 'TOKEN_ALG_NOT_ALLOWED' || claim === 'crit') return 'algorithm';
  if (code === 'TOKEN_ISSUER_INVALID') return 'issuer';
  if (code === 'TOKEN_SIGNATURE_INVALID' || code === 'TOKEN_KEY_NOT_FOUND') return 'signature';
  if (code === 'TOKEN_EXPIRED' || code === 'TOKEN_NOT_YET_VALID' || ['exp', 'nbf', 'iat'].includes(String(claim))) return 'lifetime';
  if (code === 'TOKEN_AUDIENCE_INVALID') return 'audience';
  if (code === 'TOKEN_TENANT_NOT_ALLOWED') return 'tenant';
  if (code === 'TOKEN_CLAIM_MISSING' || code === 'TOKEN_NOT_ACCESS_TOKEN' || claim !== undefined) return 'token claims';
  return 'format';
}

/** Reads an APIM policy (XML) or a JSON bearer policy. */
export async function readPolicyFile(path: string): Promise<{ policy: BearerPolicy; source: string }> {
  const text = await readFile(path, 'utf8');
  if (text.trimStart().startsWith('<')) return { policy: policyFromApimXml(text), source: 'API Management <validate-jwt>' };
  return { policy: JSON.parse(text) as BearerPolicy, source: 'JSON bearer policy' };
}

/**
 * The API's own check of `token` under `policy` (one createBearerAuthenticator, as an API would
 * run it), reported check by check: those before the refusal passed, the refusing one failed,
 * the rest were not reached. Each required claim is judged on its own once the signature held.
 */
export async function checkAgainstPolicy(token: string, policy: BearerPolicy): Promise<{ accepted: boolean; verdict: string; checks: PolicyCheck[]; unavailable: boolean }> {
  const authenticator = createBearerAuthenticator(policy, { onFailure: () => {} });
  let refusal: { code: string; status: number; message: string; claim?: unknown } | undefined;
  try {
    await authenticator.fromAuthorizationHeader(`Bearer ${token}`);
  } catch (error) {
    const e = error as { code: string; status: number; message: string; details?: Record<string, unknown>; cause?: { message?: string } };
    refusal = { code: e.code, status: e.status, message: e.status >= 500 ? `${e.message}${e.cause?.message ? `: ${e.cause.message}` : ''}` : e.message, claim: e.details?.['claim'] };
  }
  const rules = policy.requiredClaims ?? [];
  if (refusal && refusal.status >= 500) {
    return { accepted: false, unavailable: true, verdict: `NOT CHECKED: ${refusal.code} (${refusal.status}) ${refusal.message}`, checks: [] };
  }
  const failing = refusal ? failedCheck(refusal.code, refusal.claim) : undefined;
  const failingIndex = failing === undefined ? CHECK_ORDER.length : failing === 'required claims' ? CHECK_ORDER.length : CHECK_ORDER.indexOf(failing);
  const checks: PolicyCheck[] = CHECK_ORDER.map((check, i) =>
    i < failingIndex ? { check, verdict: 'pass' } : i === failingIndex ? { check, verdict: 'FAIL', detail: refusal!.message } : { check, verdict: 'not reached' },
  );
  const claims = decodeToken(token).payload;
  for (const rule of rules) {
    const check = `claim ${rule.name} ${rule.match} of ${JSON.stringify(rule.values)}${rule.separator ? ` (split on "${rule.separator}")` : ''}`;
    if (failingIndex < CHECK_ORDER.length) checks.push({ check, verdict: 'not reached' });
    else {
      // Reached only after the signature held, so these claims are the issuer's.
      let passed = true;
      try {
        checkRequiredClaims(claims, [rule]);
      } catch {
        passed = false;
      }
      checks.push({ check, verdict: passed ? 'pass' : 'FAIL', ...(passed ? {} : { detail: `the token's ${rule.name} is ${JSON.stringify(claims[rule.name] ?? null)}` }) });
    }
  }
  const verdict = refusal ? `REFUSED: ${refusal.code} (${refusal.status}) ${refusal.message}` : 'ACCEPTED';
  return { accepted: !refusal, unavailable: false, verdict, checks };
}

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
  const dataDir = dataDirOption(dataOption);
  if (!existsSync(devJsonPath(dataDir))) return undefined;
  const caFile = (await readDevJson(dataDir)).emulator?.caFile;
  if (!caFile || !existsSync(caFile)) return undefined;
  trustCaCertificate(await readFile(caFile, 'utf8'));
  return caFile;
}

export async function inspectCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { discovery: { type: 'string' }, policy: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
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
  let policyReport: (Awaited<ReturnType<typeof checkAgainstPolicy>> & { file: string; source: string }) | undefined;
  if (values.policy) {
    let read: Awaited<ReturnType<typeof readPolicyFile>>;
    try {
      read = await readPolicyFile(values.policy);
    } catch (error) {
      throw new UsageError(`the policy ${values.policy} cannot be enforced: ${(error as Error).message}`);
    }
    if (!values.discovery) await trustDataFolderCa(values.data);
    policyReport = { ...(await checkAgainstPolicy(token, read.policy)), file: values.policy, source: read.source };
  }
  const rows = explainClaims(decoded.payload);
  if (values.json) {
    console.log(JSON.stringify({ kind, header: decoded.header, claims: rows, signature, warnings, ...(policyReport ? { policy: policyReport } : {}) }, null, 2));
  } else {
    console.log(`kind       ${kind.label}`);
    console.log(`header     ${JSON.stringify(decoded.header)}`);
    console.log(`signature  ${signature}`);
    for (const warning of warnings) console.log(`WARNING    ${warning}`);
    if (policyReport) {
      console.log(`policy     ${policyReport.file} (${policyReport.source})`);
      console.log(`verdict    ${policyReport.verdict}`);
      const width = Math.max(...policyReport.checks.map((c) => c.check.length), 5);
      for (const c of policyReport.checks) console.log(`  ${c.check.padEnd(width)}  ${c.verdict}${c.detail ? `  ${c.detail}` : ''}`);
    }
    const width = Math.max(...rows.map((r) => r.name.length), 5);
    for (const category of ['identity', 'authorization', 'token', 'unknown'] as const) {
      const group = rows.filter((r) => r.category === category);
      if (group.length === 0) continue;
      console.log(`\n${{ identity: 'Who the user is', authorization: 'What the app may do', token: 'The token itself', unknown: 'Other claims' }[category]}`);
      for (const r of group) console.log(`  ${r.name.padEnd(width)}  ${formatClaimValue(r.name, r.value)}  — ${r.meaning}`);
    }
  }
  if (invalid) throw new Error('the signature is INVALID');
  if (policyReport?.unavailable) throw new Error(`the token could not be checked against ${policyReport.file}`);
  if (policyReport && !policyReport.accepted) throw new Error(`the token is refused by ${policyReport.file}`);
}
