import { resolveProperty, type AnyShape } from './entity-shapes.ts';
import { parseFilter, type RecordPredicate } from './filter.ts';
import { GraphError } from './graph-error.ts';

/** The OData system query options the emulator implements, as the client sent them. */
export interface QueryOptions {
  select?: string;
  filter?: string;
  top?: string;
  skiptoken?: string;
  orderby?: string;
  count?: string;
}

const SUPPORTED = new Set(['$select', '$filter', '$top', '$skiptoken', '$orderby', '$count']);
const ENTITY_ONLY = new Set(['$select']);

function badRequest(message: string): GraphError {
  return new GraphError(400, 'Request_BadRequest', message);
}

/** Reads `$`-options from the URL; other parameters are ignored, as Graph does. */
export function readQueryOptions(url: URL, target: 'collection' | 'entity'): QueryOptions {
  const options: Record<string, string> = {};
  for (const [rawKey, value] of url.searchParams) {
    const key = rawKey.toLowerCase();
    if (!key.startsWith('$')) continue;
    if (!SUPPORTED.has(key)) throw new GraphError(400, 'Request_UnsupportedQuery', `The query parameter '${rawKey.slice(0, 50)}' is not supported.`);
    if (target === 'entity' && !ENTITY_ONLY.has(key)) throw badRequest(`The query parameter '${rawKey.slice(0, 50)}' is not allowed on a single entity.`);
    if (key in options) throw badRequest(`Query option '${key}' was specified more than once.`);
    options[key.slice(1)] = value;
  }
  return options;
}

export function parseSelect(select: string | undefined, shapes: readonly AnyShape[], typeName: string): string[] | undefined {
  if (select === undefined) return undefined;
  const names = select.split(',').map((name) => name.trim());
  if (names.length > 100 || names.some((name) => !name)) throw badRequest(`Invalid $select value '${select.slice(0, 200)}'.`);
  return [
    ...new Set(
      names.map((name) => {
        const found = resolveProperty(shapes, name);
        if (!found) throw badRequest(`Could not find a property named '${name.slice(0, 100)}' on type '${typeName}'.`);
        return found;
      }),
    ),
  ];
}

export function parseTop(top: string | undefined): number {
  if (top === undefined) return 100;
  const value = /^\d{1,4}$/.test(top) ? Number(top) : NaN;
  if (!(value >= 1 && value <= 999)) throw badRequest(`Invalid page size specified: '${top.slice(0, 20)}'. Must be between 1 and 999 inclusive.`);
  return value;
}

export function parseCount(count: string | undefined): boolean {
  if (count === undefined || count === 'false') return false;
  if (count === 'true') return true;
  throw badRequest(`Invalid value '${count.slice(0, 20)}' for $count; use true or false.`);
}

export function parseFilterOption(filter: string | undefined, shapes: readonly AnyShape[], typeName: string, advanced: boolean): RecordPredicate | undefined {
  return filter === undefined ? undefined : parseFilter(filter, shapes, typeName, advanced);
}

/** Graph's type name in messages: `microsoft.graph.user` → `User`. */
function resourceName(typeName: string): string {
  const short = typeName.replace(/^microsoft\.graph\./, '');
  return `${short.charAt(0).toUpperCase()}${short.slice(1)}`;
}

/** `$orderby` on one property, `asc` (default) or `desc`; strings compare without case. */
export function parseOrderBy(orderby: string | undefined, shapes: readonly AnyShape[], typeName: string, advanced: boolean): ((a: Record<string, unknown>, b: Record<string, unknown>) => number) | undefined {
  if (orderby === undefined) return undefined;
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$/i.exec(orderby);
  if (!match?.[1]) throw new GraphError(400, 'Request_UnsupportedQuery', 'Only $orderby on a single property (asc or desc) is supported.');
  const name = resolveProperty(shapes, match[1]);
  if (!name) throw badRequest(`Could not find a property named '${match[1]}' on type '${typeName}'.`);
  const sortable = shapes.some((shape) => shape.sortable?.includes(name) || (advanced && shape.advancedSortable?.includes(name)));
  if (!sortable) throw new GraphError(400, 'Request_UnsupportedQuery', `Unsupported sort property '${name}' for '${resourceName(typeName)}'.`);
  const direction = match[2]?.toLowerCase() === 'desc' ? -1 : 1;
  const key = (value: unknown): string => (value === null || value === undefined ? '' : String(value).toLowerCase());
  return (a, b) => direction * key(a[name]).localeCompare(key(b[name]));
}
