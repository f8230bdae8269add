import { lstat, readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';
import type { Diagnostic, SourcePosition } from './diagnostics.js';
import type { PathSegment } from './document.js';
import { FileRefusedError, isInside, readConfinedFile } from './files.js';

/** Files larger than this are refused before parsing: policies are small, a huge file is a mistake or an attack. */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;
/** YAML alias expansion limit (billion-laughs protection). */
export const MAX_ALIAS_COUNT = 100;
/** Policy files read per run; discovery stops looking past it. */
export const MAX_POLICY_FILES = 5_000;
/** Bytes of policy files read per run. */
export const MAX_POLICY_BYTES = 64 * 1024 * 1024;
/** YAML documents per run (a document is one policy). */
export const MAX_DOCUMENTS = 100_000;
/** Nesting depth of a YAML document (mappings and sequences); policies need under 10. */
export const MAX_YAML_DEPTH = 64;

/** Every .yml/.yaml file below policies/ (the same as the globs policies/**\/*.{yml,yaml}). */
export const DEFAULT_POLICY_PATHS = ['policies'];

/** A parsed YAML document before schema validation, with a way back from paths to positions. */
export interface ParsedDocument {
  file: string;
  absoluteFile: string;
  index: number;
  value: unknown;
  locate(path: readonly PathSegment[], at?: 'key' | 'value'): SourcePosition;
}

export interface LoadResult {
  files: string[];
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
}

const POLICY_FILE = /\.ya?ml$/;

/**
 * Every YAML file below a directory, skipping dot-directories and node_modules like the default glob does.
 * Symbolic links to directories are not followed (a link loop would make the walk endless); links to files
 * are returned and the file gate decides whether they stay inside the repository. Stops past `limit` files.
 */
async function yamlFilesUnder(dir: string, out: string[], limit: number): Promise<void> {
  const pending = [dir];
  while (pending.length && out.length <= limit) {
    const current = pending.pop() as string;
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if ((entry.isFile() || entry.isSymbolicLink()) && POLICY_FILE.test(entry.name)) out.push(full);
    }
  }
}

/**
 * Turns CLI/Action paths (files, directories or globs) into a sorted list of policy files. More than
 * MAX_POLICY_FILES are cut to MAX_POLICY_FILES + 1, which loadPolicyFiles reports.
 */
export async function discoverPolicyFiles(cwd: string, paths: readonly string[]): Promise<string[]> {
  const patterns: string[] = [];
  const found: string[] = [];
  for (const p of paths.length ? paths : DEFAULT_POLICY_PATHS) {
    const abs = resolve(cwd, p);
    // lstat: a path named on the command line that is itself a link is read as a file, never walked.
    const info = await lstat(abs).catch(() => undefined);
    if (info?.isDirectory()) await yamlFilesUnder(abs, found, MAX_POLICY_FILES);
    else if (info?.isFile() || info?.isSymbolicLink()) found.push(abs);
    else patterns.push(toPosix(isAbsolute(p) ? relative(cwd, p) : p));
  }
  if (patterns.length && found.length <= MAX_POLICY_FILES) {
    // The glob matcher is loaded only for real patterns: plain files and directories need none of it.
    const { glob } = await import('tinyglobby');
    found.push(...(await glob(patterns, { cwd, absolute: true, onlyFiles: true, dot: false, followSymbolicLinks: false, ignore: ['**/node_modules/**'] })));
  }
  return [...new Set(found.map((f) => resolve(f)))].sort().slice(0, MAX_POLICY_FILES + 1);
}

/** Reads and parses policy files through the file gate, within the per-run caps on files, bytes and documents. */
export async function loadPolicyFiles(cwd: string, files: readonly string[]): Promise<LoadResult> {
  const documents: ParsedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const root = resolve(cwd);
  let bytesRead = 0;
  const capped = (code: string, message: string, hint: string, file: string) => diagnostics.push({ code, severity: 'error', message, hint, file, line: 1, column: 1 });
  for (const [i, absoluteFile] of files.entries()) {
    const file = isInside(root, resolve(absoluteFile)) ? toPosix(relative(cwd, absoluteFile)) || absoluteFile : absoluteFile;
    const at = (line = 1, column = 1) => ({ file, line, column });
    if (i >= MAX_POLICY_FILES) {
      capped('policy/too-many-files', `More than ${MAX_POLICY_FILES} policy files; the files from ${file} on were not read`, 'Narrow the policy paths, or merge small policy files.', file);
      break;
    }
    let bytes: Uint8Array;
    try {
      bytes = await readConfinedFile({ root, path: absoluteFile, maxBytes: MAX_POLICY_FILE_BYTES, label: file });
    } catch (error) {
      diagnostics.push(fileRefusal(error, file, at()));
      continue;
    }
    bytesRead += bytes.length;
    if (bytesRead > MAX_POLICY_BYTES) {
      capped('policy/too-many-bytes', `The policy files add up to more than ${MAX_POLICY_BYTES} bytes; the files from ${file} on were not read`, 'Narrow the policy paths, or remove generated files from them.', file);
      break;
    }
    const parsed = parseYamlFile(file, absoluteFile, bytes);
    documents.push(...parsed.documents);
    diagnostics.push(...parsed.diagnostics);
    if (documents.length > MAX_DOCUMENTS) {
      documents.length = MAX_DOCUMENTS;
      capped('policy/too-many-documents', `More than ${MAX_DOCUMENTS} policy documents; the documents from ${file} on were not read`, 'Merge policies, or split the repository into several runs with narrower policy paths.', file);
      break;
    }
  }
  return { files: files.slice(0, MAX_POLICY_FILES).map((f) => toPosix(relative(cwd, f))), documents, diagnostics };
}

/** A policy file the gate refused, as a diagnostic that quotes nothing of the file. */
function fileRefusal(error: unknown, file: string, at: SourcePosition): Diagnostic {
  const reason = error instanceof FileRefusedError ? error.reason : 'unreadable';
  const detail = error instanceof FileRefusedError ? error.message : `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  switch (reason) {
    case 'too-large':
      return { code: 'policy/file-too-large', severity: 'error', message: `${file} is over ${MAX_POLICY_FILE_BYTES} bytes; policy files are limited to ${MAX_POLICY_FILE_BYTES} bytes`, hint: 'Split the policies into several files.', ...at };
    case 'outside-root':
    case 'missing':
      return { code: 'policy/outside-repository', severity: 'error', message: detail, hint: 'Policy files must be regular files inside the repository; replace the symbolic link by the file itself.', ...at };
    default:
      return { code: 'policy/file-unreadable', severity: 'error', message: detail, hint: 'Check that the file exists and is readable.', ...at };
  }
}

/** Parses every YAML document of one file; problems become diagnostics, never exceptions. */
export function parseYamlFile(
  file: string,
  absoluteFile: string,
  bytes: Uint8Array,
): { documents: ParsedDocument[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return {
      documents: [],
      diagnostics: [
        { code: 'yaml/invalid-encoding', severity: 'error', message: `${file} is not valid UTF-8`, file, line: 1, column: 1, hint: 'Policy files must be UTF-8 text.' },
      ],
    };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lineCounter = new LineCounter();
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  // An empty file or one with only comments is an EmptyStream: an array with no documents.
  const list: Document[] = Array.isArray(docs) ? docs : [];
  const documents: ParsedDocument[] = [];
  let empty = 0;
  list.forEach((doc, index) => {
    const before = diagnostics.length;
    for (const error of doc.errors) {
      // yaml's recursive parser catches its own stack overflow and reports it as a parse error.
      if (/maximum call stack/i.test(error.message)) diagnostics.push(tooDeep(position(error.pos[0])));
      else diagnostics.push(yamlDiagnostic(error, position(errorOffset(doc, text, error))));
    }
    // yaml reports unresolved tags as warnings; policies treat every YAML problem as an error.
    for (const warning of doc.warnings) diagnostics.push(yamlDiagnostic(warning, position(warning.pos[0])));
    if (diagnostics.length > before) return;
    if (isEmptyDocument(doc)) {
      // `---` with nothing after it (e.g. a trailing marker): harmless; a file of nothing else is reported below.
      empty++;
      return;
    }
    // Before anything recursive walks the document (visit, toJS, schema validation, canonical JSON).
    const deep = deepestOffset(doc);
    if (deep !== undefined) {
      diagnostics.push(tooDeep(position(deep)));
      return;
    }
    diagnostics.push(...structureProblems(doc, file, position));
    if (diagnostics.length > before) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const message = firstLine(String((error as Error).message));
      const aliasLimit = /alias/i.test(message);
      diagnostics.push({
        code: aliasLimit ? 'yaml/alias-limit' : 'yaml/syntax',
        severity: 'error',
        message: aliasLimit ? `Too many YAML alias expansions (${message})` : message,
        hint: aliasLimit ? `Aliases may expand at most ${MAX_ALIAS_COUNT} times per document; write the values out.` : undefined,
        ...position(doc.contents?.range?.[0] ?? 0),
      });
      return;
    }
    documents.push({ file, absoluteFile, index, value, locate: (path, at) => position(offsetOf(doc, path, at ?? 'value')) });
  });
  if (list.length === empty) {
    diagnostics.push({
      code: 'policy/empty-file',
      severity: 'warning',
      message: list.length === 0 ? `${file} contains no YAML documents` : `${file} contains only empty YAML documents`,
      file,
      line: 1,
      column: 1,
      hint: 'Remove the file or add a policy.',
    });
  }
  return { documents, diagnostics };
}

function tooDeep(at: SourcePosition): Diagnostic {
  return {
    code: 'yaml/too-deep',
    severity: 'error',
    message: `The YAML is nested too deeply here: policies may nest mappings and lists at most ${MAX_YAML_DEPTH} levels`,
    hint: 'Flatten the structure; no policy field needs this depth. Look for unclosed [ or { brackets.',
    ...at,
  };
}

/** Offset of the first node nested deeper than MAX_YAML_DEPTH, found without recursion; undefined when none is. */
function deepestOffset(doc: Document): number | undefined {
  const stack: Array<[unknown, number]> = [[doc.contents, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (!isCollection(node)) continue;
    if (depth >= MAX_YAML_DEPTH) return (node as Node).range?.[0] ?? 0;
    for (const item of node.items) {
      if (isPair(item)) stack.push([item.key, depth + 1], [item.value, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

/**
 * Offset of the node at `path`, or of the deepest existing ancestor when the path does not exist.
 * A mapping value that is empty (`key:`) or a block mapping/sequence is represented by its key: the
 * value would be the empty end of the key's line or the first line of the block, not the problem.
 */
function offsetOf(doc: Document, path: readonly PathSegment[], at: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) return offset;
      const keyNode = pair.key as Node | null;
      const valueNode = pair.value as Node | null;
      const keyOffset = keyNode?.range?.[0];
      if (i === path.length - 1 && at === 'key' && keyOffset !== undefined) return keyOffset;
      const pointAtKey = !valueNode?.range || isEmptyScalar(valueNode) || (isCollection(valueNode) && !valueNode.flow);
      offset = (pointAtKey ? keyOffset : valueNode?.range?.[0]) ?? keyOffset ?? offset;
      node = valueNode;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return offset;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      return offset;
    }
  }
  return offset;
}

/** A document with no content at all: `---` alone, or a trailing `---`. An explicit `~` or `null` is content. */
function isEmptyDocument(doc: Document): boolean {
  return doc.contents === null || isEmptyScalar(doc.contents);
}

function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && (node.source === '' || node.source === undefined) && node.range?.[0] === node.range?.[1];
}

/**
 * Problems the YAML parser accepts but a policy must not contain: aliases to anchors that are not
 * defined (yaml throws on them late, without a position), aliases inside the node they refer to (a
 * loop that expands forever) and collections used as mapping keys.
 */
function structureProblems(doc: Document, file: string, position: (offset: number) => SourcePosition): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Alias(_, alias, path) {
      const target = alias.resolve(doc);
      const at = position(alias.range?.[0] ?? 0);
      if (!target) {
        out.push({ code: 'yaml/syntax', severity: 'error', message: `Unknown alias *${alias.source}: no anchor &${alias.source} is defined before it`, hint: 'Define the anchor before the alias, or write the value out.', ...at });
      } else if (path.includes(target as never)) {
        out.push({ code: 'yaml/alias-limit', severity: 'error', message: `Alias *${alias.source} refers to a node that contains it, which expands forever`, hint: 'Write the value out instead of using the alias.', ...at });
      }
    },
    Pair(_, pair) {
      if (isCollection(pair.key) || isAlias(pair.key)) {
        const key = pair.key as Node;
        out.push({ code: 'yaml/syntax', severity: 'error', message: 'A mapping key must be a plain string, not a sequence, mapping or alias', hint: 'Use a string key.', ...position(key.range?.[0] ?? 0) });
      }
    },
  });
  return out;
}

/**
 * Where to point for a parse error. yaml reports some errors where it noticed them rather than
 * where they are: an unclosed quote or flow collection at the end of what it swallowed, and a badly
 * indented line at the start of its indentation rather than at its first character.
 */
function errorOffset(doc: Document, text: string, error: YAMLError): number {
  const offset = error.pos[0];
  if (error.code === 'MISSING_CHAR' || error.code === 'BAD_INDENT') {
    let opening: number | undefined;
    visit(doc, {
      Scalar(_, node) {
        if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range?.[1] === offset && /closing .?quote/i.test(error.message)) opening = node.range[0];
      },
      Collection(_, node) {
        if (node.flow && node.range?.[1] === offset && /flow (sequence|map)/i.test(error.message)) opening = node.range[0];
      },
    });
    if (opening !== undefined) return opening;
  }
  // An offset in the leading spaces of a line means that line's content.
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  if (/^ *$/.test(text.slice(lineStart, offset))) {
    let i = offset;
    while (text[i] === ' ') i++;
    if (i < text.length && text[i] !== '\n' && text[i] !== '\r') return i;
  }
  return offset;
}

/** yaml error codes that get a code and hint of their own; every other YAML problem is yaml/syntax. */
const yamlProblems: Record<string, { code: string; hint: string }> = {
  DUPLICATE_KEY: { code: 'yaml/duplicate-key', hint: 'Each key may appear once in a mapping; remove or rename one.' },
  TAG_RESOLVE_FAILED: { code: 'yaml/unknown-tag', hint: 'Custom YAML tags are not supported in policies.' },
};

function yamlDiagnostic(problem: { code: string; message: string }, at: SourcePosition): Diagnostic {
  const known = yamlProblems[problem.code];
  const hint = known?.hint ?? 'Check the indentation, quoting and brackets at and just before this position.';
  return { code: known?.code ?? 'yaml/syntax', severity: 'error', message: firstLine(problem.message), hint, ...at };
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

export function toPosix(p: string): string {
  return p.split(sep).join('/');
}
