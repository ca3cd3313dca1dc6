import type { EmulatorDeps } from '../deps.ts';
import { mintTestToken, parseMintRequest, type MintTokenRequest } from './mint-token.ts';
import { startTestSession, type TestSession } from './test-control-routes.ts';

/**
 * The test controls for a suite that started the emulator in-process (`startEmulator`): the same
 * checks and code as `POST /_admin/tokens`, `/_admin/clock` and `/_admin/sessions`, without HTTP.
 * A refused request throws an Error whose message is the 400's description.
 */
export interface EmulatorAdmin {
  /** A token signed with the tenant's key, starting from a real sign-in's claims. */
  mintToken(request: MintTokenRequest): Promise<string>;
  clock: {
    /** The emulator's time (ISO 8601). */
    now(): string;
    /** Moves time by this many seconds (negative goes back); returns the new time. */
    advance(seconds: number): string;
    /** Jumps to this time; returns it. */
    set(at: string | Date): string;
    /** Back to real time. */
    reset(): string;
  };
  /** Starts an SSO session for a user; its cookie makes the next authorize silent (see `@entrakit/emulator/playwright`). */
  signIn(input: { user: string; tenantId?: string; mfa?: boolean }): Promise<TestSession>;
}

export function createInProcessAdmin(deps: EmulatorDeps): EmulatorAdmin {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    mintToken: (request) => mintTestToken(deps, parseMintRequest(request as unknown as Record<string, unknown>)),
    clock: {
      now: () => iso(deps.time.now()),
      advance: (seconds) => {
        if (!Number.isFinite(seconds)) throw new Error('advance needs a number of seconds');
        return iso(deps.time.advance(Math.round(seconds * 1000)));
      },
      set: (at) => {
        const ms = at instanceof Date ? at.getTime() : Date.parse(at);
        if (!Number.isFinite(ms)) throw new Error('set needs an ISO 8601 time or a Date');
        return iso(deps.time.set(ms));
      },
      reset: () => iso(deps.time.reset()),
    },
    signIn: (input) => startTestSession(deps, input),
  };
}
