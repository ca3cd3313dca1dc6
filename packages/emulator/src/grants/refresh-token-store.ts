import { randomBytes, randomUUID } from 'node:crypto';
import type { KeyValueStore } from 'entrakit/store';
import { AadError } from '../protocol/aad-error.ts';
import { sha256Base64Url } from 'entrakit/internal';
import { EXPIRED_REFRESH_GRACE_MS, REFRESH_TOKEN_INACTIVITY_MS, SPA_REFRESH_TOKEN_MAX_MS } from '../tokens/lifetimes.ts';

/** Entra's answer to a refresh token it cannot read or does not know (MSAL: interaction required). */
export const badRefreshToken = (): AadError =>
  new AadError(70000, "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.", { suberror: 'bad_token' });

/** A refresh token of a revoked grant (reuse detected under 'revoke-family'). */
const revokedGrant = (): AadError =>
  new AadError(70008, 'The provided authorization code or refresh token has expired or was revoked. Send a new interactive authorization request for this user and resource.');

/** The family was revoked (reuse detected, or the user's password changed): the grant needs a fresh sign-in. */
export const revokedFamily = (issuedAt: number): AadError =>
  new AadError(50173, `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${new Date(issuedAt).toISOString()}'.`);

/**
 * What happens when an already-redeemed refresh token comes back:
 * - 'allow' (default): Entra's own rule; a redeemed token keeps working until it expires (each
 *   redemption still returns a new one).
 * - 'revoke-family' (strict, RFC 9700 reuse detection): the request fails and every refresh token
 *   descended from the same sign-in stops working, the newest one included.
 */
export type RefreshTokenReuse = 'revoke-family' | 'allow';

/** What a refresh token stands for; stored under the token's hash, never the token itself. */
export interface RefreshTokenRecord {
  familyId: string;
  clientId: string;
  tenantId: string;
  userId: string;
  /** Scope string of the original grant; a refresh without `scope` redeems for this. */
  scope: string;
  sid?: string;
  amr: string[];
  /** Authentication contexts satisfied so far (`acrs`); a refresh asking for more may need the user. */
  acrs?: string[];
  /** Client capabilities declared ('cp1': CAE-capable). */
  capabilities?: string[];
  /** The client authenticated when the family started: redemptions must authenticate too. */
  confidential: boolean;
  /** Issued to a single-page app: the family ends 24 hours after sign-in. */
  spa: boolean;
  /** The user's credential stamp at sign-in; another one later means the password changed (50173). */
  credentialStamp?: string;
  familyStartedAt: number;
  issuedAt: number;
  expiresAt: number;
}

export type NewFamily = Omit<RefreshTokenRecord, 'familyId' | 'familyStartedAt' | 'issuedAt' | 'expiresAt'>;

const tokenKey = (token: string): string => `rt:${sha256Base64Url(token)}`;
const usedKey = (token: string): string => `rt-used:${sha256Base64Url(token)}`;
const revokedKey = (familyId: string): string => `rt-family-revoked:${familyId}`;
const FAMILY_MEMORY_MS = REFRESH_TOKEN_INACTIVITY_MS + EXPIRED_REFRESH_GRACE_MS;

/** .NET's TimeSpan format of Entra's messages: d.hh:mm:ss. */
function inactivitySpan(ms: number): string {
  const total = Math.round(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(total / 86_400)}.${pad(Math.floor((total % 86_400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

function parseRecord(raw: string): RefreshTokenRecord | undefined {
  try {
    const r = JSON.parse(raw) as RefreshTokenRecord;
    return typeof r.familyId === 'string' && typeof r.clientId === 'string' && typeof r.expiresAt === 'number' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Opaque, rotating refresh tokens grouped in families (one family per interactive sign-in or OBO). */
export function createRefreshTokens(
  state: KeyValueStore,
  clock: () => number,
  reuse: RefreshTokenReuse,
  /** Inactivity lifetime per family (the tenant file's setting); Entra's 90 days by default. */
  inactivityOf: (record: Pick<RefreshTokenRecord, 'tenantId' | 'clientId'>) => number = () => REFRESH_TOKEN_INACTIVITY_MS,
) {
  async function store(record: RefreshTokenRecord): Promise<string> {
    const token = `1.${randomBytes(48).toString('base64url')}`;
    await state.set(tokenKey(token), JSON.stringify(record), record.expiresAt - clock() + EXPIRED_REFRESH_GRACE_MS);
    return token;
  }

  function expiry(now: number, record: Pick<RefreshTokenRecord, 'spa' | 'familyStartedAt' | 'tenantId' | 'clientId'>): number {
    const inactivity = inactivityOf(record);
    // A configured inactivity shorter than 24 hours bounds single-page apps too.
    return record.spa ? Math.min(record.familyStartedAt + SPA_REFRESH_TOKEN_MAX_MS, now + inactivity) : now + inactivity;
  }

  async function revokeFamily(familyId: string): Promise<void> {
    await state.set(revokedKey(familyId), '1', FAMILY_MEMORY_MS);
  }

  return {
    /** Starts a family; returns the token and its family id (remembered by the code that produced it). */
    async startFamily(grant: NewFamily, familyId: string = randomUUID()): Promise<{ token: string; familyId: string }> {
      const now = clock();
      const base = { ...grant, familyId, familyStartedAt: now, issuedAt: now };
      const token = await store({ ...base, expiresAt: expiry(now, base) });
      return { token, familyId: base.familyId };
    },

    /**
     * Validates a presented token and consumes it. `check` runs first (client binding) and may
     * throw without burning the token. Returns the record and a successor token in the same family.
     */
    async rotate(token: string, check: (record: RefreshTokenRecord) => void | Pick<RefreshTokenRecord, 'acrs' | 'capabilities'>): Promise<{ record: RefreshTokenRecord; next: string }> {
      const raw = await state.get(tokenKey(token));
      if (raw === undefined) {
        const usedFamily = await state.get(usedKey(token));
        if (usedFamily === undefined) throw badRefreshToken();
        await revokeFamily(usedFamily);
        throw revokedGrant();
      }
      const record = parseRecord(raw);
      if (!record) throw badRefreshToken();
      // The check may widen what the successor remembers (contexts satisfied, capabilities).
      const remembered = check(record) ?? {};
      if ((await state.get(revokedKey(record.familyId))) !== undefined) throw revokedFamily(record.familyStartedAt);
      const now = clock();
      if (record.expiresAt <= now) {
        if (record.spa && record.familyStartedAt + SPA_REFRESH_TOKEN_MAX_MS <= now) {
          throw new AadError(700084, `The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on ${new Date(record.familyStartedAt).toISOString()}.`);
        }
        throw new AadError(700082, `The refresh token has expired due to inactivity. The token was issued on ${new Date(record.issuedAt).toISOString()} and was inactive for ${inactivitySpan(inactivityOf(record))}.`);
      }
      if (reuse === 'revoke-family') {
        // take() is atomic: of two concurrent redemptions only one rotates; the other counts as reuse.
        if ((await state.take(tokenKey(token))) === undefined) {
          await revokeFamily(record.familyId);
          throw revokedGrant();
        }
        await state.set(usedKey(token), record.familyId, record.expiresAt - now + EXPIRED_REFRESH_GRACE_MS);
      }
      const next = await store({ ...record, ...remembered, issuedAt: now, expiresAt: expiry(now, record) });
      return { record: { ...record, ...remembered }, next };
    },

    revokeFamily,
  };
}

export type RefreshTokens = ReturnType<typeof createRefreshTokens>;
