/**
 * Fault injection for resilience tests: added latency, error statuses (5xx, 429 with Retry-After)
 * on a path prefix, for a number of requests or until cleared.
 */
export interface FaultRule {
  pathPrefix: string;
  latencyMs?: number;
  status?: number;
  retryAfterSec?: number;
  /** How many matching requests it applies to; unlimited when absent. */
  count?: number;
}

export interface FaultInjector {
  add(rule: FaultRule): void;
  clear(): void;
  list(): FaultRule[];
  /** The rule for this path, consuming one of its uses. */
  take(path: string): FaultRule | undefined;
}

export function parseFaultRule(input: unknown): FaultRule {
  if (typeof input !== 'object' || input === null) throw new TypeError('fault rule must be a JSON object');
  const r = input as Record<string, unknown>;
  const allowed = new Set(['pathPrefix', 'latencyMs', 'status', 'retryAfterSec', 'count']);
  for (const key of Object.keys(r)) if (!allowed.has(key)) throw new TypeError(`fault rule: unknown property "${key}"`);
  if (typeof r.pathPrefix !== 'string' || !r.pathPrefix.startsWith('/')) throw new TypeError('fault rule: "pathPrefix" must be a path starting with /');
  const int = (name: string, min: number, max: number): number | undefined => {
    const v = r[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new TypeError(`fault rule: "${name}" must be an integer from ${min} to ${max}`);
    return v;
  };
  const rule: FaultRule = { pathPrefix: r.pathPrefix };
  const latencyMs = int('latencyMs', 0, 60_000);
  const status = int('status', 400, 599);
  const retryAfterSec = int('retryAfterSec', 0, 3600);
  const count = int('count', 1, 1_000_000);
  if (latencyMs !== undefined) rule.latencyMs = latencyMs;
  if (status !== undefined) rule.status = status;
  if (retryAfterSec !== undefined) rule.retryAfterSec = retryAfterSec;
  if (count !== undefined) rule.count = count;
  if (rule.latencyMs === undefined && rule.status === undefined) throw new TypeError('fault rule: give "latencyMs", "status" or both');
  return rule;
}

export function createFaultInjector(): FaultInjector {
  let rules: FaultRule[] = [];
  return {
    add(rule) {
      rules.push({ ...rule });
    },
    clear() {
      rules = [];
    },
    list() {
      return rules.map((r) => ({ ...r }));
    },
    take(path) {
      const rule = rules.find((r) => path.startsWith(r.pathPrefix));
      if (!rule) return undefined;
      if (rule.count !== undefined) {
        rule.count -= 1;
        if (rule.count <= 0) rules = rules.filter((r) => r !== rule);
      }
      return rule;
    },
  };
}
