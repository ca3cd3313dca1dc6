/**
 * The sign-in trace of the learning pages, built from entrakit/web's events rather than inside
 * the sign-in: 'sign-in-started' and the token call's 'http-call' are kept per correlation id
 * until the library hands the validated ID token to onSignIn, which completes the trace (with the
 * identity provider's own log of the sign-in and the password-or-SSO verdict) and stores it.
 */
import { prefixOnly } from 'entrakit/web';
import type { TraceStep } from '../../shared/trace.ts';
import type { JsonObject } from 'entrakit/store';
import type { CreatedWebAuth, SignInInfo } from 'entrakit/web';
import type { WebConfig } from '../config.ts';
import { judgeSignIn, verdictStep } from '../idp/sign-in-verdict.ts';
import type { WebStores } from '../stores.ts';
import { callbackSteps, sessionStartSteps, tokenCallSteps } from './callback-steps.ts';
import { identityProviderSteps } from './identity-provider-steps.ts';
import { signInStartSteps } from './sign-in-steps.ts';

/** Sign-ins started and not finished yet (abandoned ones age out): enough for a busy instance. */
const MAX_OPEN = 1_000;
const OPEN_TTL_MS = 10 * 60_000;

interface OpenSignIn {
  startedAt: number;
  state: string;
  returnTo: string;
  steps: TraceStep[];
  tokenSteps: TraceStep[];
}

export interface SignInRecorder {
  /** Completes and stores the trace of the sign-in `info` ends; returns its id. */
  complete(info: SignInInfo): Promise<string>;
}

export function createSignInRecorder(deps: { entra: CreatedWebAuth; config: WebConfig; stores: WebStores; fetch: typeof fetch; clock: () => number }): SignInRecorder {
  const { entra, config, stores, clock } = deps;
  const open = new Map<string, OpenSignIn>();
  const secure = new URL(config.baseUrl).protocol === 'https:';

  function forget(now: number): void {
    for (const [id, entry] of open) {
      if (open.size <= MAX_OPEN && now - entry.startedAt < OPEN_TTL_MS) break;
      open.delete(id);
    }
  }

  entra.on('sign-in-started', (event) => {
    forget(event.at);
    open.set(event.correlationId, {
      startedAt: event.at,
      state: event.state,
      returnTo: event.returnTo,
      steps: signInStartSteps({ at: event.at, returnTo: event.returnTo, authorizeUrl: event.authorizeUrl }),
      tokenSteps: [],
    });
  });
  entra.on('http-call', (event) => {
    const entry = event.kind === 'token' && event.correlationId ? open.get(event.correlationId) : undefined;
    if (entry) entry.tokenSteps.push(...tokenCallSteps(event));
  });

  return {
    async complete(info) {
      const now = clock();
      const entry = open.get(info.correlationId);
      open.delete(info.correlationId);
      // Started on another instance: the trace begins at the callback.
      const startedAt = entry?.startedAt ?? now;
      const steps: TraceStep[] = [
        ...(entry?.steps ?? []),
        ...(await identityProviderSteps({ config, fetch: deps.fetch }, info.correlationId)),
        ...callbackSteps(now, entry ? prefixOnly(entry.state, 8) : undefined),
        ...(entry?.tokenSteps ?? []),
        ...sessionStartSteps({ at: clock(), checks: info.checks, returnTo: entry?.returnTo ?? '/', cookieName: `${secure ? '__Host-' : ''}entrakit-session`, secure }),
      ];
      const verdict = await judgeSignIn({ stores, clock, config }, { startedAt, claims: info.claims as JsonObject, correlationId: info.correlationId });
      steps.push(verdictStep(verdict));
      return stores.traces.save({ startedAt, steps });
    },
  };
}
