/**
 * Minimal XML writing and reading for the REST-XML services (Route 53, S3, CloudFront).
 */
import { XMLParser } from 'fast-xml-parser';

// ---------------------------------------------------------------------------------------------
// Writing

export type XmlScalar = string | number | boolean | Date;
export interface XmlElement {
  readonly name: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly children: readonly XmlContent[];
}
export type XmlContent = XmlElement | XmlScalar | null | undefined | false | readonly XmlContent[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#xD;',
  '\n': '&#xA;',
  '\t': '&#x9;',
};

export function escapeXml(value: string): string {
  return value.replace(/[&<>"'\r\n\t]/g, (ch) => ESCAPES[ch] ?? ch);
}

/**
 * An element; `null`, `undefined` and `false` children are skipped (so `cond && el(...)` works), arrays
 * are flattened. A boolean that is the only child is the element's value: `el('IsTruncated', false)`
 * renders `<IsTruncated>false</IsTruncated>`, never an empty element.
 */
export function el(name: string, ...children: XmlContent[]): XmlElement {
  return { name, children };
}

/** An element with attributes (used for the root `xmlns`). */
export function elAttrs(name: string, attrs: Record<string, string>, ...children: XmlContent[]): XmlElement {
  return { name, attrs, children };
}

/** `<name>value</name>` when value is present, nothing otherwise. */
export function opt(name: string, value: XmlScalar | null | undefined): XmlElement | undefined {
  return value === undefined || value === null ? undefined : el(name, value);
}

function isElement(c: XmlContent): c is XmlElement {
  return typeof c === 'object' && c !== null && !Array.isArray(c) && !(c instanceof Date);
}

function renderContent(c: XmlContent, out: string[]): void {
  if (c === null || c === undefined || c === false) return;
  if (Array.isArray(c)) {
    for (const child of c as readonly XmlContent[]) renderContent(child, out);
    return;
  }
  if (c instanceof Date) {
    out.push(c.toISOString());
    return;
  }
  if (isElement(c)) {
    out.push('<', c.name);
    for (const [k, v] of Object.entries(c.attrs ?? {})) out.push(' ', k, '="', escapeXml(v), '"');
    out.push('>');
    if (c.children.length === 1 && typeof c.children[0] === 'boolean') out.push(String(c.children[0]));
    else for (const child of c.children) renderContent(child, out);
    out.push('</', c.name, '>');
    return;
  }
  out.push(escapeXml(String(c)));
}

export function renderXml(root: XmlElement): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  renderContent(root, out);
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A parsed XML node: text, an object of child elements, or a list when an element repeats. */
export type XmlNode = string | XmlObject | XmlNode[];
export interface XmlObject {
  [name: string]: XmlNode;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true,
});

export class XmlParseError extends Error {}

/** Parse a document and return its root element's content plus the root name. */
export function parseXmlDocument(body: string): { root: string; value: XmlObject } {
  let parsed: unknown;
  try {
    parsed = parser.parse(body, true);
  } catch (e) {
    throw new XmlParseError(e instanceof Error ? e.message : String(e));
  }
  if (typeof parsed !== 'object' || parsed === null) throw new XmlParseError('no root element');
  const entries = Object.entries(parsed as Record<string, unknown>).filter(([k]) => k !== '#text');
  if (entries.length !== 1) throw new XmlParseError('expected exactly one root element');
  const [root, value] = entries[0];
  return { root, value: typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as XmlObject) : {} };
}

/** The child element `name` of an object node (first one if it repeats). */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  if (Array.isArray(node)) return child(node[0], name);
  const value = node[name];
  return value;
}

/** Text content of child `name`, or undefined when absent. */
export function text(node: XmlNode | undefined, name: string): string | undefined {
  const c = child(node, name);
  if (c === undefined) return undefined;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return typeof c[0] === 'string' ? c[0] : undefined;
  // An element that has only whitespace text besides nothing else.
  const t = c['#text'];
  return typeof t === 'string' ? t : '';
}

/** Items of a wrapped list: `<container><item/>...</container>` → item nodes. */
export function listItems(node: XmlNode | undefined, container: string, item: string): XmlNode[] {
  const c = child(node, container);
  if (c === undefined || typeof c === 'string') return [];
  const items = child(c, item);
  if (items === undefined) return [];
  return Array.isArray(items) ? items : [items];
}
