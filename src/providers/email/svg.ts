/**
 * Offline checks of a BIMI logo against the SVG Tiny Portable/Secure profile
 * (draft-svg-tiny-ps-abrotman): what mailbox providers reject before they ever show a logo.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { issue, type RecordIssue } from './records.js';

/** 32 KB, counted in real bytes of the file as served. */
export const SVG_MAX_BYTES = 32 * 1024;

/** Elements Tiny PS leaves out: scripting, raster and embedded content, animation, filters, multimedia. */
const FORBIDDEN_ELEMENTS: ReadonlyMap<string, string> = new Map([
  ['script', 'scripts are not allowed'],
  ['image', 'embedded (raster) images are not allowed'],
  ['foreignObject', 'foreignObject is not allowed'],
  ['filter', 'filters are not allowed'],
  ['animate', 'animation is not allowed'],
  ['set', 'animation is not allowed'],
  ['animateMotion', 'animation is not allowed'],
  ['animateColor', 'animation is not allowed'],
  ['animateTransform', 'animation is not allowed'],
  ['animation', 'animation is not allowed'],
  ['video', 'multimedia is not allowed'],
  ['audio', 'multimedia is not allowed'],
  ['style', 'style sheets are not allowed (they can load external resources)'],
  ['handler', 'event handlers are not allowed'],
  ['listener', 'event handlers are not allowed'],
]);

/**
 * Every element SVG Tiny PS allows (the draft's RelaxNG grammar); anything else is an error. Checked by name
 * after the forbidden list, so the common offenders get their own explanation.
 */
const ALLOWED_ELEMENTS: ReadonlySet<string> = new Set([
  'svg', 'title', 'desc', 'metadata', 'g', 'defs', 'use', 'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon',
  'solidColor', 'linearGradient', 'radialGradient', 'stop', 'text', 'tspan', 'textArea', 'tbreak',
]);

/** The five entities XML predefines; any other entity reference needs a DTD, which is refused. */
const PREDEFINED_ENTITIES: ReadonlySet<string> = new Set(['lt', 'gt', 'amp', 'quot', 'apos']);

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

type OrderedNode = Record<string, unknown>;

export function checkSvgTinyPs(bytes: Uint8Array): RecordIssue[] {
  const out: RecordIssue[] = [];
  if (bytes.length > SVG_MAX_BYTES) {
    out.push(issue('email/logo-too-large', 'error', `Logo is ${bytes.length} bytes; SVG Tiny PS logos must be at most ${SVG_MAX_BYTES} bytes (32 KB)`, 'Simplify paths or remove metadata to shrink the file.'));
  }
  const root = parseSvg(bytes, out);
  if (!root) return out;
  out.push(...rootIssues(root), ...contentIssues(root));
  const square = squareIssue(root);
  if (square) out.push(square);
  return out;
}

function parseSvg(bytes: Uint8Array, out: RecordIssue[]): XmlElement | undefined {
  const text = new TextDecoder('utf-8').decode(bytes); // strips a BOM
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    out.push(issue('email/logo-invalid-xml', 'error', `Logo is not well-formed XML (line ${line}, column ${col}): ${msg}`, 'Export the logo again as SVG Tiny PS from your design tool, or fix the XML at that position.'));
    return undefined;
  }
  if (markupIssues(text, out)) return undefined;
  const nodes = toElements(parser().parse(text));
  for (const pi of nodes.filter((e) => e.name.startsWith('?') && e.name !== '?xml')) {
    out.push(issue('email/logo-forbidden-element', 'error', `Logo contains the processing instruction <${truncate(pi.name)}>: only the XML declaration is allowed in SVG Tiny PS`, 'Remove the processing instruction (style sheets and other PIs are not allowed).'));
  }
  const root = nodes.find((e) => !e.name.startsWith('?'));
  if (!root || localName(root.name) !== 'svg') {
    out.push(issue('email/logo-invalid-xml', 'error', `Logo's root element is <${root?.name ?? 'nothing'}>, not <svg>`, 'BIMI logos are SVG files whose root element is <svg>.'));
    return undefined;
  }
  return root;
}

function parser(): XMLParser {
  return new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    // Entities are never expanded: a DTD is refused before parsing, and expansion is how DTD tricks work.
    processEntities: false,
  });
}

/**
 * Refuses what needs no parse to find and must never reach one: a DOCTYPE or ENTITY declaration (internal
 * entities can expand to <script> in other parsers) and references to entities XML does not predefine.
 * Returns whether the logo was refused. Linear scans only.
 */
function markupIssues(text: string, out: RecordIssue[]): boolean {
  const lower = text.toLowerCase();
  if (lower.includes('<!doctype') || lower.includes('<!entity')) {
    out.push(issue('email/logo-forbidden-element', 'error', 'Logo has a DOCTYPE or ENTITY declaration: SVG Tiny PS allows no DTD', 'Remove the <!DOCTYPE …> declaration and write entity values out.'));
    return true;
  }
  for (const m of text.matchAll(/&([A-Za-z_][\w.-]{0,64});/g)) {
    if (!PREDEFINED_ENTITIES.has(m[1])) {
      out.push(issue('email/logo-forbidden-element', 'error', `Logo uses the entity &${m[1]};, which needs a DTD: SVG Tiny PS allows none`, 'Write the character out, or use a numeric reference such as &#169;.'));
      return true;
    }
  }
  return false;
}

/** fast-xml-parser's ordered output → a small element tree (comments and PIs dropped). */
function toElements(nodes: unknown): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  return (nodes as OrderedNode[]).flatMap((node) => {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (name === undefined || name === '#text' || name === '#comment') return [];
    const attributes = (node[':@'] ?? {}) as Record<string, string>;
    const childNodes = node[name];
    return [{ name, attributes, children: toElements(childNodes), text: textOf(childNodes) }];
  });
}

function textOf(nodes: unknown): string {
  if (!Array.isArray(nodes)) return '';
  return (nodes as OrderedNode[])
    .map((n) => (typeof n['#text'] === 'string' || typeof n['#text'] === 'number' ? String(n['#text']) : ''))
    .join('');
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function attribute(element: XmlElement, name: string): string | undefined {
  const key = Object.keys(element.attributes).find((k) => localName(k) === name && !k.startsWith('xmlns'));
  return key === undefined ? undefined : String(element.attributes[key]);
}

function rootIssues(root: XmlElement): RecordIssue[] {
  const out: RecordIssue[] = [];
  const version = attribute(root, 'version');
  const profile = attribute(root, 'baseProfile');
  if (version !== '1.2') {
    out.push(issue('email/logo-not-tiny-ps', 'error', `Logo's <svg> has version="${version ?? ''}"; SVG Tiny PS needs version="1.2"`, 'Set version="1.2" on the root <svg>.'));
  }
  if (profile !== 'tiny-ps') {
    out.push(issue('email/logo-not-tiny-ps', 'error', `Logo's <svg> has baseProfile="${profile ?? ''}"; SVG Tiny PS needs baseProfile="tiny-ps"`, 'Set baseProfile="tiny-ps" on the root <svg>.'));
  }
  const title = root.children.find((c) => localName(c.name) === 'title');
  if (!title || title.text.trim() === '') {
    out.push(issue('email/logo-no-title', 'error', 'Logo has no <title> (or an empty one) directly inside <svg>', 'Add <title>Your brand name</title> as a child of the root <svg>.'));
  }
  for (const name of ['x', 'y']) {
    if (attribute(root, name) !== undefined) {
      out.push(issue('email/logo-root-position', 'error', `Logo's root <svg> has a ${name}= attribute, which SVG Tiny PS forbids`, `Remove ${name}= from the root <svg>.`));
    }
  }
  return out;
}

/** Walks every element once, reporting forbidden elements, scripts in attributes and external references. */
function contentIssues(root: XmlElement): RecordIssue[] {
  const out: RecordIssue[] = [];
  const seen = new Set<string>();
  const report = (code: string, message: string, hint: string) => {
    if (seen.has(message)) return;
    seen.add(message);
    out.push(issue(code, 'error', message, hint));
  };
  const visit = (element: XmlElement) => {
    const name = localName(element.name);
    const why = FORBIDDEN_ELEMENTS.get(name);
    const refused = why !== undefined || !ALLOWED_ELEMENTS.has(name);
    if (why) report('email/logo-forbidden-element', `Logo contains <${name}>: ${why} in SVG Tiny PS`, `Remove the <${name}> element.`);
    else if (refused) report('email/logo-forbidden-element', `Logo contains <${truncate(name)}>, which is not an SVG Tiny PS element`, `Remove the <${truncate(name)}> element.`);
    for (const [key, value] of Object.entries(element.attributes)) {
      if (/^on/i.test(localName(key))) report('email/logo-forbidden-element', `Logo has an event handler attribute ${key}=: scripts are not allowed in SVG Tiny PS`, `Remove ${key}=.`);
      const url = /url\(\s*['"]?([^#'")\s])/i.exec(String(value));
      if (url) report('email/logo-external-reference', `Logo's <${name}> ${key}= uses url(…) with an external reference: SVG Tiny PS allows only internal url(#id)`, `Remove the external url(…) from ${key}=.`);
      if (localName(key) === 'href' && !String(value).startsWith('#')) {
        report('email/logo-external-reference', `Logo references "${truncate(String(value))}" from <${name}>: SVG Tiny PS allows only internal (#id) references`, 'Inline the referenced content.');
      }
    }
    // What is inside a refused element goes with it: its content is not reported again.
    if (!refused) element.children.forEach(visit);
  };
  visit(root);
  return out;
}

function truncate(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}

/** Mail clients show logos in a square (often a circle); a non-square logo gets cropped or padded. */
function squareIssue(root: XmlElement): RecordIssue | undefined {
  const size = dimensions(root);
  if (!size || Math.abs(size.width - size.height) < 1e-9) return undefined;
  return issue('email/logo-not-square', 'warning', `Logo is ${size.width}×${size.height}, not square; mail clients crop logos to a square or circle`, 'Use a square viewBox, e.g. viewBox="0 0 100 100".');
}

function dimensions(root: XmlElement): { width: number; height: number } | undefined {
  const viewBox = attribute(root, 'viewBox');
  if (viewBox !== undefined) {
    const parts = viewBox.trim().split(/[\s,]+/).map(Number);
    if (parts.length === 4 && parts.every(Number.isFinite)) return { width: parts[2], height: parts[3] };
  }
  const width = parseLength(attribute(root, 'width'));
  const height = parseLength(attribute(root, 'height'));
  return width !== undefined && height !== undefined ? { width, height } : undefined;
}

function parseLength(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$/.exec(value);
  return match ? Number(match[1]) : undefined;
}
