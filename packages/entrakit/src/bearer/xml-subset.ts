/**
 * A strict reader for the XML that API Management policies use: elements, attributes in single or
 * double quotes, text, comments, CDATA, an XML declaration, and the five predefined entities plus
 * numeric character references. Anything else (a DOCTYPE, processing instructions, other entities,
 * mismatched tags) is refused with its position, so nothing is read differently from APIM.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (trimmed), entities decoded. */
  text: string;
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const MAX_DEPTH = 32;

export function parseXmlSubset(xml: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    const line = xml.slice(0, i).split('\n').length;
    throw new TypeError(`XML: ${what} at line ${line}`);
  };
  const skipSpace = (): void => {
    while (i < xml.length && /\s/.test(xml[i]!)) i += 1;
  };
  const readName = (): string => {
    NAME.lastIndex = i;
    const match = NAME.exec(xml);
    if (!match) fail('expected a name');
    i += match![0].length;
    return match![0];
  };
  const decode = (raw: string): string =>
    raw.replace(/&(#x[0-9A-Fa-f]+|#\d+|[a-z]+);|&/g, (whole: string, entity: string | undefined) => {
      if (entity === undefined) return fail('a bare "&" (write &amp;)');
      if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
      if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
      return ENTITIES[entity] ?? fail(`the entity ${whole}`);
    });

  /** Comments, whitespace and (at the top) the XML declaration between elements. */
  const skipMisc = (allowDeclaration: boolean): void => {
    for (;;) {
      skipSpace();
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4);
        if (end === -1) fail('an unclosed comment');
        i = end + 3;
      } else if (allowDeclaration && xml.startsWith('<?xml', i) && i === xml.indexOf('<?xml')) {
        const end = xml.indexOf('?>', i);
        if (end === -1) fail('an unclosed XML declaration');
        i = end + 2;
      } else return;
    }
  };

  const readElement = (depth: number): XmlElement => {
    if (depth > MAX_DEPTH) fail('elements nested too deeply');
    if (xml[i] !== '<') fail('expected "<"');
    if (xml.startsWith('<!', i) || xml.startsWith('<?', i)) fail('a DOCTYPE or processing instruction (not used in policies)');
    i += 1;
    const element: XmlElement = { name: readName(), attributes: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return element;
      }
      if (xml[i] === '>') {
        i += 1;
        break;
      }
      const name = readName();
      skipSpace();
      if (xml[i] !== '=') fail(`expected "=" after the attribute ${name}`);
      i += 1;
      skipSpace();
      const quote = xml[i];
      if (quote !== '"' && quote !== "'") fail(`expected a quoted value for ${name}`);
      const end = xml.indexOf(quote!, i + 1);
      if (end === -1) fail(`an unclosed value for ${name}`);
      const raw = xml.slice(i + 1, end);
      if (raw.includes('<')) fail(`"<" inside the value of ${name}`);
      if (Object.hasOwn(element.attributes, name)) fail(`the attribute ${name} twice`);
      element.attributes[name] = decode(raw);
      i = end + 1;
    }
    let text = '';
    for (;;) {
      if (i >= xml.length) fail(`an unclosed <${element.name}>`);
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4);
        if (end === -1) fail('an unclosed comment');
        i = end + 3;
      } else if (xml.startsWith('<![CDATA[', i)) {
        const end = xml.indexOf(']]>', i);
        if (end === -1) fail('an unclosed CDATA section');
        text += xml.slice(i + 9, end);
        i = end + 3;
      } else if (xml.startsWith('</', i)) {
        i += 2;
        const name = readName();
        if (name !== element.name) fail(`</${name}> closing <${element.name}>`);
        skipSpace();
        if (xml[i] !== '>') fail(`expected ">" after </${name}`);
        i += 1;
        element.text = text.trim();
        return element;
      } else if (xml[i] === '<') {
        element.children.push(readElement(depth + 1));
      } else {
        const next = xml.indexOf('<', i);
        const end = next === -1 ? xml.length : next;
        text += decode(xml.slice(i, end));
        i = end;
      }
    }
  };

  skipMisc(true);
  const root = readElement(0);
  skipMisc(false);
  if (i !== xml.length) fail('content after the root element');
  return root;
}
