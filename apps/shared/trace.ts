/**
 * The learning pages' model of a recorded exchange: steps between actors, each already redacted,
 * plain JSON so it can live in any key-value store. The web app builds it from entrakit/web's
 * events (whose fields are TraceField lists); the API adds its own steps to a Story trace.
 */
import type { TraceField } from 'entrakit/web';

export type { TraceField };

/** 'api' and 'storage' appear in the trace of an API call (Story), not in a sign-in. */
export type TraceActor = 'browser' | 'app' | 'idp' | 'api' | 'storage';

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
