import { CLAIM_CATALOG } from './claim-catalog.ts';
import type { ClaimCategory } from './claim-catalog.ts';

export interface ClaimExplanation {
  name: string;
  value: unknown;
  meaning: string;
  /** Unknown claims have no category. */
  category: ClaimCategory | 'unknown';
}

export const UNKNOWN_CLAIM_MEANING = 'Not a standard Entra claim';

/** One row per claim, in the token's order, with what the claim means (for display). */
export function explainClaims(claims: Record<string, unknown>): ClaimExplanation[] {
  return Object.entries(claims).map(([name, value]) => {
    const known = Object.hasOwn(CLAIM_CATALOG, name) ? CLAIM_CATALOG[name] : undefined;
    const coded = known?.values && (typeof value === 'string' || typeof value === 'number') ? known.values[String(value)] : undefined;
    return known
      ? { name, value, meaning: coded ? `${known.meaning}. Here: ${coded}` : known.meaning, category: known.category }
      : { name, value, meaning: UNKNOWN_CLAIM_MEANING, category: 'unknown' };
  });
}
