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
]);

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
  const root = toElements(parser().parse(text)).find((e) => !e.name.startsWith('?'));
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
    processEntities: true,
  });
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
    if (why) report('email/logo-forbidden-element', `Logo contains <${name}>: ${why} in SVG Tiny PS`, `Remove the <${name}> element.`);
    for (const [key, value] of Object.entries(element.attributes)) {
      if (/^on/i.test(localName(key))) report('email/logo-forbidden-element', `Logo has an event handler attribute ${key}=: scripts are not allowed in SVG Tiny PS`, `Remove ${key}=.`);
      if (localName(key) === 'href' && !String(value).startsWith('#')) {
        report('email/logo-external-reference', `Logo references "${truncate(String(value))}" from <${name}>: SVG Tiny PS allows only internal (#id) references`, 'Inline the referenced content.');
      }
    }
    element.children.forEach(visit);
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
