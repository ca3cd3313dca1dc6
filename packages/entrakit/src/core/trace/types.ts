/**
 * A field of a recorded protocol exchange (the `request` / `response` of entrakit/web's
 * `http-call` events), already redacted: safe to store, log and render.
 */
export type TraceField = { name: string; value: string; note?: string };
