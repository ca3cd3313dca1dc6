/**
 * A recorded protocol exchange, already redacted: safe to store, log and render. Plain JSON so it
 * can live in any key-value store.
 */
/** 'api' and 'storage' appear in the trace of an API call (Story), not in a sign-in. */
export type TraceActor = 'browser' | 'app' | 'idp' | 'api' | 'storage';

export type TraceField = { name: string; value: string; note?: string };

export type TraceStep = {
  /** Milliseconds since the epoch. */
  at: number;
  from: TraceActor;
  to: TraceActor;
  /** Short label for the timeline and the sequence diagram, e.g. "POST /token". */
  title: string;
  method?: string;
  /** URL with sensitive query values redacted. */
  url?: string;
  status?: number;
  fields: TraceField[];
  notes: string[];
};

export type SignInTrace = { startedAt: number; steps: TraceStep[] };
