/**
 * Test-only ID-token faults: the next ID tokens minted for a client come out malformed in a chosen
 * way (claims overridden or removed, signature corrupted, or unsigned with alg "none"), so a
 * relying party's ID-token validation can be tested against the real emulator. Off until an admin
 * adds one (POST /_admin/token-faults, admin key required); each applies to `count` tokens.
 */
import { GUID } from 'entrakit/internal';

export interface IdTokenFault {
  /** Claims replaced in the token; `null` removes the claim. */
  claims?: Record<string, unknown>;
  /** 'corrupt': the signature no longer verifies (its bytes flipped). */
  signature?: 'corrupt';
  /** 'none': an unsigned token, header alg "none" and an empty signature. */
  alg?: 'none';
}

export interface TokenFaultRule {
  clientId: string;
  idToken: IdTokenFault;
  /** How many ID tokens it applies to. */
  count: number;
}

export interface TokenFaults {
  add(rule: TokenFaultRule): void;
  clear(): void;
  list(): TokenFaultRule[];
  /** The fault for the next ID token minted for this client, consuming one of its uses. */
  takeIdTokenFault(clientId: string): IdTokenFault | undefined;
}

const MAX_CLAIMS_JSON = 8 * 1024;

export function parseTokenFaultRule(input: unknown): TokenFaultRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TypeError('token fault must be a JSON object');
  const r = input as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!['clientId', 'idToken', 'count'].includes(key)) throw new TypeError(`token fault: unknown property "${key}"`);
  if (typeof r.clientId !== 'string' || !GUID.test(r.clientId)) throw new TypeError('token fault: "clientId" must be an application (client) id');
  const count = r.count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) throw new TypeError('token fault: "count" must be an integer from 1 to 1000');
  const t = r.idToken;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new TypeError('token fault: "idToken" must be an object');
  const fault = t as Record<string, unknown>;
  for (const key of Object.keys(fault)) if (!['claims', 'signature', 'alg'].includes(key)) throw new TypeError(`token fault: unknown property "idToken.${key}"`);
  const idToken: IdTokenFault = {};
  if (fault.claims !== undefined) {
    if (typeof fault.claims !== 'object' || fault.claims === null || Array.isArray(fault.claims)) throw new TypeError('token fault: "idToken.claims" must be an object');
    if (JSON.stringify(fault.claims).length > MAX_CLAIMS_JSON) throw new TypeError(`token fault: "idToken.claims" must be under ${MAX_CLAIMS_JSON} bytes of JSON`);
    idToken.claims = { ...(fault.claims as Record<string, unknown>) };
  }
  if (fault.signature !== undefined) {
    if (fault.signature !== 'corrupt') throw new TypeError('token fault: "idToken.signature" must be "corrupt"');
    idToken.signature = 'corrupt';
  }
  if (fault.alg !== undefined) {
    if (fault.alg !== 'none') throw new TypeError('token fault: "idToken.alg" must be "none"');
    idToken.alg = 'none';
  }
  if (idToken.signature && idToken.alg) throw new TypeError('token fault: give "idToken.signature" or "idToken.alg", not both');
  if (!idToken.claims && !idToken.signature && !idToken.alg) throw new TypeError('token fault: give "idToken.claims", "idToken.signature" or "idToken.alg"');
  return { clientId: r.clientId.toLowerCase(), idToken, count };
}

export function createTokenFaults(): TokenFaults {
  let rules: TokenFaultRule[] = [];
  const copy = (rule: TokenFaultRule): TokenFaultRule => ({ ...rule, idToken: { ...rule.idToken, ...(rule.idToken.claims ? { claims: { ...rule.idToken.claims } } : {}) } });
  return {
    add(rule) {
      rules.push(copy(rule));
    },
    clear() {
      rules = [];
    },
    list() {
      return rules.map(copy);
    },
    takeIdTokenFault(clientId) {
      if (rules.length === 0) return undefined;
      const rule = rules.find((r) => r.clientId === clientId.toLowerCase());
      if (!rule) return undefined;
      rule.count -= 1;
      if (rule.count <= 0) rules = rules.filter((r) => r !== rule);
      return rule.idToken;
    },
  };
}

/** The claims with the fault's overrides applied (`null` removes a claim). */
export function faultyClaims(claims: Record<string, unknown>, fault: IdTokenFault): Record<string, unknown> {
  const result = { ...claims };
  for (const [name, value] of Object.entries(fault.claims ?? {})) {
    if (value === null) delete result[name];
    else result[name] = value;
  }
  return result;
}

/** The signed token made faulty: an unsigned alg "none" token, or one whose signature fails. */
export function faultyToken(signed: string, fault: IdTokenFault): string {
  const [header = '', payload = '', signature = ''] = signed.split('.');
  if (fault.alg === 'none') {
    const parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
    const unsigned = { typ: parsed['typ'] ?? 'JWT', alg: 'none' };
    return `${Buffer.from(JSON.stringify(unsigned)).toString('base64url')}.${payload}.`;
  }
  if (fault.signature === 'corrupt') {
    const bytes = Buffer.from(signature, 'base64url');
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
    return `${header}.${payload}.${bytes.toString('base64url')}`;
  }
  return signed;
}
