import { serializeItem, type AnyShape, type DirectoryItem } from './entity-shapes.ts';
import { GraphError } from './graph-error.ts';
import { parseCount, parseFilterOption, parseOrderBy, parseSelect, parseTop, readQueryOptions } from './odata-query.ts';
import type { SkipTokens } from './skip-token.ts';

export interface ODataResponder {
  publicUrl: string;
  skipTokens: SkipTokens;
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

function contextUrl(publicUrl: string, entitySet: string, select: string[] | undefined): string {
  return `${publicUrl}/v1.0/$metadata#${entitySet}${select ? `(${select.join(',')})` : ''}`;
}

/** A Graph collection page: `$filter`, `$orderby`, `$count`, `$select`, `$top` + signed `$skiptoken`. */
export function collectionBody(url: URL, spec: CollectionSpec, responder: ODataResponder): Record<string, unknown> {
  const options = readQueryOptions(url, 'collection');
  const select = parseSelect(options.select, spec.shapes, spec.typeName);
  const filter = parseFilterOption(options.filter, spec.shapes, spec.typeName);
  const order = parseOrderBy(options.orderby, spec.shapes, spec.typeName);
  const top = parseTop(options.top);
  const count = parseCount(options.count);

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

  const body: Record<string, unknown> = { '@odata.context': contextUrl(responder.publicUrl, spec.entitySet, select) };
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
  return { '@odata.context': `${contextUrl(responder.publicUrl, item.shape.entitySet, select)}/$entity`, ...serializeItem(item, select, false) };
}
