import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Opaque `$skiptoken` values: the page offset, MACed with the emulator's secret and bound to the
 * query it pages through, so a client can neither forge one nor replay it on another query.
 */
export function createSkipTokens(secret: Uint8Array) {
  const mac = (scope: string, offset: number) => createHmac('sha256', secret).update(`graph-skiptoken\n${scope}\n${offset}`).digest();

  return {
    issue(scope: string, offset: number): string {
      return `${Buffer.from(String(offset)).toString('base64url')}.${mac(scope, offset).toString('base64url')}`;
    },
    /** The offset, or undefined when the token is malformed, forged or for another query. */
    read(scope: string, token: string): number | undefined {
      const [encoded, signature, extra] = token.split('.');
      if (!encoded || !signature || extra !== undefined || encoded.length > 16) return undefined;
      const text = Buffer.from(encoded, 'base64url').toString();
      if (!/^(0|[1-9]\d{0,8})$/.test(text)) return undefined;
      const offset = Number(text);
      const expected = mac(scope, offset);
      const given = Buffer.from(signature, 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected) ? offset : undefined;
    },
  };
}

export type SkipTokens = ReturnType<typeof createSkipTokens>;
