import { resolveProperty, type AnyShape } from './entity-shapes.ts';
import { GraphError } from './graph-error.ts';

/** A parsed `$filter`: true when a record matches. */
export type RecordPredicate = (record: Record<string, unknown>) => boolean;

type Token = { kind: 'string'; value: string } | { kind: 'word'; value: string } | { kind: 'punct'; value: '(' | ')' | ',' | '/' | ':' };

const MAX_FILTER_LENGTH = 2048;
const TOKEN = /\s*(?:'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_]*)|([(),/:]))/y;

function unsupported(): GraphError {
  return new GraphError(400, 'Request_UnsupportedQuery', "Unsupported or invalid query filter clause specified. The emulator supports: prop eq|ne 'value' (also true, false, null), startswith(prop,'value'), endswith(prop,'value'), not(...), collection/any(x:x eq 'value'), joined with 'and'.");
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(text);
    if (!match) throw unsupported();
    if (match[1] !== undefined) tokens.push({ kind: 'string', value: match[1].replace(/''/g, "'") });
    else if (match[2] !== undefined) tokens.push({ kind: 'word', value: match[2] });
    else tokens.push({ kind: 'punct', value: match[3] as '(' | ')' | ',' | '/' | ':' });
  }
  return tokens;
}

/** `ne`, `not` and `endsWith` on directory objects need the advanced query parameters. */
function needsAdvanced(name: string, typeName: string): GraphError {
  const resource = typeName.replace(/^microsoft\.graph\./, '');
  return new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${name}' of resource '${resource.charAt(0).toUpperCase()}${resource.slice(1)}'.`);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

/**
 * Parses the `$filter` subset the emulator supports. String comparisons ignore case, as the
 * directory's do; anything else is refused rather than guessed.
 */
export function parseFilter(filter: string, shapes: readonly AnyShape[], typeName: string, advanced = true): RecordPredicate {
  if (filter.length > MAX_FILTER_LENGTH) throw unsupported();
  const tokens = tokenize(filter);
  let at = 0;
  let lastProperty = '';
  const next = (): Token => {
    const token = tokens[at++];
    if (!token) throw unsupported();
    return token;
  };
  const expect = (value: string): void => {
    const token = next();
    if (token.kind === 'string' || token.value !== value) throw unsupported();
  };
  const property = (): string => {
    const token = next();
    if (token.kind !== 'word') throw unsupported();
    const name = resolveProperty(shapes, token.value);
    if (name) lastProperty = name;
    if (!name) throw new GraphError(400, 'Request_BadRequest', `Could not find a property named '${token.value.slice(0, 100)}' on type '${typeName}'.`);
    return name;
  };

  function clause(): RecordPredicate {
    const first = tokens[at];
    const second = tokens[at + 1];
    if (first?.kind === 'word' && first.value.toLowerCase() === 'not' && second?.kind === 'punct' && second.value === '(') {
      at += 2;
      const inner = clause();
      expect(')');
      if (!advanced) throw needsAdvanced(lastProperty, typeName);
      return (r) => !inner(r);
    }
    // `identifierUris/any(u:u eq 'api://…')`: a string collection holding the value (any case).
    if (first?.kind === 'word' && second?.kind === 'punct' && second.value === '/') {
      const name = property();
      expect('/');
      const fn = next();
      if (fn.kind !== 'word' || fn.value.toLowerCase() !== 'any') throw unsupported();
      expect('(');
      const variable = next();
      if (variable.kind !== 'word') throw unsupported();
      expect(':');
      const again = next();
      if (again.kind !== 'word' || again.value !== variable.value) throw unsupported();
      const op = next();
      if (op.kind !== 'word' || op.value.toLowerCase() !== 'eq') throw unsupported();
      const literal = next();
      if (literal.kind !== 'string') throw unsupported();
      expect(')');
      const wanted = literal.value.toLowerCase();
      return (r) => Array.isArray(r[name]) && (r[name] as unknown[]).some((v) => text(v) === wanted);
    }
    if (first?.kind === 'word' && second?.kind === 'punct' && second.value === '(') {
      const fn = first.value.toLowerCase();
      if (fn !== 'startswith' && fn !== 'endswith') throw unsupported();
      at += 2;
      const name = property();
      expect(',');
      const literal = next();
      if (literal.kind !== 'string') throw unsupported();
      expect(')');
      if (fn === 'endswith' && !advanced) throw needsAdvanced(name, typeName);
      const wanted = literal.value.toLowerCase();
      return (r) => {
        const value = text(r[name]);
        return value !== undefined && (fn === 'startswith' ? value.startsWith(wanted) : value.endsWith(wanted));
      };
    }
    const name = property();
    const op = next();
    if (op.kind !== 'word' || !['eq', 'ne'].includes(op.value.toLowerCase())) throw unsupported();
    const literal = next();
    let equals: (value: unknown) => boolean;
    if (literal.kind === 'string') equals = (value) => text(value) === literal.value.toLowerCase();
    else if (literal.kind === 'word' && ['true', 'false', 'null'].includes(literal.value.toLowerCase())) {
      const wanted = JSON.parse(literal.value.toLowerCase()) as boolean | null;
      equals = (value) => value === wanted;
    } else throw unsupported();
    if (op.value.toLowerCase() === 'ne' && !advanced) throw needsAdvanced(name, typeName);
    return op.value.toLowerCase() === 'eq' ? (r) => equals(r[name]) : (r) => !equals(r[name]);
  }

  const clauses = [clause()];
  while (at < tokens.length) {
    const joiner = next();
    if (joiner.kind !== 'word' || joiner.value.toLowerCase() !== 'and') throw unsupported();
    clauses.push(clause());
  }
  return (record) => clauses.every((matches) => matches(record));
}
