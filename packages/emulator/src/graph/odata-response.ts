import type { Context } from 'hono';
import { serializeItem, type AnyShape, type DirectoryItem } from './entity-shapes.ts';
import { GraphError } from './graph-error.ts';
import { parseCount, parseFilterOption, parseOrderBy, parseSelect, parseTop, readQueryOptions } from './odata-query.ts';
import type { SkipTokens } from './skip-token.ts';

export interface ODataResponder {
  publicUrl: string;
  /** `v1.0` or `beta`: the path prefix the answer's links and contexts use. */
  version: string;
  skipTokens: SkipTokens;
}

/** Requests the `$count` segment re-dispatched to a collection route: answer its size as plain text. */
const countOnly = new WeakSet<Request>();
const counted = new WeakSet<Request>();

export function markCountOnly(request: Request): void {
  countOnly.add(request);
}

/** False when the re-dispatched path was not a collection (so `$count` meant nothing there). */
export function wasCounted(request: Request): boolean {
  return counted.has(request);
}

/** The header that, with `$count=true`, unlocks Graph's advanced queries on directory objects. */
export function isEventual(c: Context): boolean {
  return c.req.header('consistencylevel')?.trim().toLowerCase() === 'eventual';
}

export function countNotSupported(): GraphError {
  return new GraphError(400, 'Request_BadRequest', '$count is not currently supported.');
}

export interface CollectionSpec {
  items: DirectoryItem[];
  /** Types the collection may hold; `$select`/`$filter` may name a property of any of them. */
  shapes: readonly AnyShape[];
  /** Named in "could not find a property" errors, e.g. `microsoft.graph.user`. */
  typeName: string;
  /** Entity set in `@odata.context`: `users`, `groups`, `directoryObjects`. */
  entitySet: string;
  /** directoryObject collections (memberOf, members) annotate each item with `@odata.type`. */
  withType: boolean;
}

export function contextUrl(responder: Pick<ODataResponder, 'publicUrl' | 'version'>, entitySet: string, select?: string[]): string {
  return `${responder.publicUrl}/${responder.version}/$metadata#${entitySet}${select ? `(${select.join(',')})` : ''}`;
}

/**
 * A Graph collection page: `$filter`, `$orderby`, `$count`, `$select`, `$top` + signed `$skiptoken`.
 * As in Graph, `$count`, `ne`, `not`, `endsWith` and `$filter` with `$orderby` need the advanced
 * query parameters (`ConsistencyLevel: eventual` and `$count=true`).
 */
export function collectionResponse(c: Context, spec: CollectionSpec, responder: ODataResponder): Response {
  const url = new URL(c.req.url);
  const options = readQueryOptions(url, 'collection');
  const count = parseCount(options.count);
  const eventual = isEventual(c);
  if (count && !eventual) throw countNotSupported();
  const advanced = eventual && count;
  const select = parseSelect(options.select, spec.shapes, spec.typeName);
  const filter = parseFilterOption(options.filter, spec.shapes, spec.typeName, advanced);
  const order = parseOrderBy(options.orderby, spec.shapes, spec.typeName, advanced);
  if (filter && order && !advanced) throw new GraphError(400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.');
  const top = parseTop(options.top);
  if (countOnly.has(c.req.raw)) {
    counted.add(c.req.raw);
    const total = filter ? spec.items.filter((item) => filter(item.record)).length : spec.items.length;
    return c.text(String(total), 200, { 'content-type': 'text/plain; charset=utf-8' });
  }
  return c.json(collectionBody(url, options, { select, filter, order, top, count }, spec, responder));
}

function collectionBody(
  url: URL,
  options: ReturnType<typeof readQueryOptions>,
  parsed: { select: string[] | undefined; filter: ((r: Record<string, unknown>) => boolean) | undefined; order: ((a: Record<string, unknown>, b: Record<string, unknown>) => number) | undefined; top: number; count: boolean },
  spec: CollectionSpec,
  responder: ODataResponder,
): Record<string, unknown> {
  const { select, filter, order, top, count } = parsed;

  // The token is bound to the path and to what shapes the result set, so it cannot page another query.
  const scope = `${url.pathname.toLowerCase()}\n${options.filter ?? ''}\n${options.orderby ?? ''}`;
  let offset = 0;
  if (options.skiptoken !== undefined) {
    const read = responder.skipTokens.read(scope, options.skiptoken);
    if (read === undefined) throw new GraphError(400, 'Request_BadRequest', 'The $skiptoken is invalid or was issued for another request.');
    offset = read;
  }

  let items = filter ? spec.items.filter((item) => filter(item.record)) : spec.items;
  if (order) items = [...items].sort((a, b) => order(a.record, b.record));
  const page = items.slice(offset, offset + top);

  const body: Record<string, unknown> = { '@odata.context': contextUrl(responder, spec.entitySet, select) };
  if (count) body['@odata.count'] = items.length;
  if (offset + top < items.length) {
    const keep: Array<[string, string | undefined]> = [
      ['$select', options.select],
      ['$filter', options.filter],
      ['$orderby', options.orderby],
      ['$count', options.count],
      ['$top', options.top],
      ['$skiptoken', responder.skipTokens.issue(scope, offset + top)],
    ];
    const query = keep.flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${encodeURIComponent(value)}`])).join('&');
    body['@odata.nextLink'] = `${responder.publicUrl}${url.pathname}?${query}`;
  }
  body['value'] = page.map((item) => serializeItem(item, select, spec.withType));
  return body;
}

/** A single entity, with `$select`; its context ends in `/$entity`. */
export function entityBody(url: URL, item: DirectoryItem, responder: ODataResponder): Record<string, unknown> {
  const options = readQueryOptions(url, 'entity');
  const select = parseSelect(options.select, [item.shape], item.shape.typeName);
  return { '@odata.context': `${contextUrl(responder, item.shape.entitySet, select)}/$entity`, ...serializeItem(item, select, false) };
}
