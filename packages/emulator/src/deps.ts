import type { KeyValueStore } from 'entrakit/store';
import type { AdjustableClock } from './admin/adjustable-clock.ts';
import type { Directory } from './directory/directory.ts';
import type { FaultInjector } from './faults.ts';
import type { KeyRing } from './keys/signing-keys.ts';
import type { EmulatorSwitches } from './protocol/switches.ts';

import type { RequestLog } from './request-log/request-log.ts';
import type { TokenFaults } from './token-faults.ts';

/** What the emulator's endpoints may use; each endpoint declares the subset it needs with Pick. */
export interface EmulatorDeps {
  directory: Directory;
  keys: KeyRing;
  /** Protocol state: SSO sessions, codes, refresh-token families, consent and login transactions. */
  state: KeyValueStore;
  /** `time.now`: every part of the emulator reads time through it, so tests can move it. */
  clock: () => number;
  /** The adjustable clock behind `clock` (POST /_admin/clock). */
  time: AdjustableClock;
  /** Origin clients use, e.g. https://localhost:8443 (never derived from the Host header). */
  publicUrl: string;
  /** Key for signing cookies and CSRF tokens of the login pages. */
  cookieSecret: Uint8Array;
  faults: FaultInjector;
  /** Test-only ID-token faults (POST /_admin/token-faults); none unless an admin adds them. */
  tokenFaults: TokenFaults;
  /** Required in the `x-entrakit-admin` header of admin endpoints. */
  adminKey: string;
  /** Behaviour switches, validated at start. */
  switches: EmulatorSwitches;
  /** Recent protocol requests with outcomes and reasons (GET /_admin/requests). */
  requestLog: RequestLog;
}
