// Child process: runs one autocannon phase, so the load generator is a process of its own, apart from the server.
import autocannon from 'autocannon';
import type { LoadPhase, LoadResult } from './load.ts';

process.once('disconnect', () => process.exit(0)); // done, or the parent died: stop either way
process.once('message', async (phase: LoadPhase) => {
  const base = {
    url: phase.url,
    method: phase.method ?? 'GET',
    headers: phase.headers ?? {},
    connections: phase.connections,
    // autocannon forces rejectUnauthorized off; main checks a sample with a verifying fetch first.
    ...(phase.caPem ? { tlsOptions: { ca: phase.caPem } } : {}),
    ...(phase.body !== undefined ? { body: phase.body } : {}),
    ...(phase.overallRate ? { overallRate: phase.overallRate } : {}),
    ...(phase.authorizations ? { requests: [rotating(phase.authorizations)] } : {}),
  };
  if (phase.warmupSec > 0) await autocannon({ ...base, duration: phase.warmupSec });
  process.send?.('measuring');
  const r = await autocannon({ ...base, duration: phase.durationSec });
  const result: LoadResult = {
    name: phase.name,
    connections: phase.connections,
    durationSec: r.duration,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0])),
    rps: r['2xx'] / r.duration,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
  };
  process.send?.(result);
});

/** A request template that takes the next Authorization header from the list on every request. */
function rotating(authorizations: string[]): autocannon.Request {
  let next = 0;
  return {
    setupRequest: (request) => {
      const authorization = authorizations[next++ % authorizations.length] ?? '';
      return { ...request, headers: { ...request.headers, authorization } };
    },
  };
}
