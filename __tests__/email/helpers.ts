import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNode, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { PathSegment, PolicyDocument } from '../../src/core/document.js';
import type { LintContext } from '../../src/core/provider.js';
import type { EmailSecuritySpec } from '../../src/providers/email/spec.generated.js';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/email');

/**
 * Builds PolicyDocuments from YAML text (several documents allowed) the way the loader does:
 * positions come from the YAML node at a path, or its nearest existing parent; 1-based line/column.
 */
export function policyDocs(yamlText: string, file = 'policies/email.yaml'): PolicyDocument<EmailSecuritySpec>[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(yamlText, { lineCounter });
  if (!Array.isArray(docs)) throw new Error('no YAML documents');
  return docs.map((doc, index) => policyDoc(doc, file, index, lineCounter));
}

function policyDoc(doc: Document, file: string, index: number, lineCounter: LineCounter): PolicyDocument<EmailSecuritySpec> {
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
  const json = doc.toJS() as { apiVersion: string; kind: string; metadata: { name: string }; spec: EmailSecuritySpec };
  return {
    apiVersion: json.apiVersion,
    kind: json.kind,
    name: json.metadata.name,
    spec: json.spec,
    file,
    absoluteFile: join(FIXTURES, 'policy.yaml'),
    index,
    position(path: readonly PathSegment[]) {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
        if (isNode(node) && node.range) {
          const pos = lineCounter.linePos(node.range[0]);
          return { file, line: pos.line, column: pos.col };
        }
      }
      return { file, line: 1, column: 1 };
    },
  };
}

/** One policy document from a YAML string; `spec` is indented under the usual envelope. */
export function emailPolicy(specYaml: string, name = 'example-com'): PolicyDocument<EmailSecuritySpec> {
  return policyDocs(envelope(specYaml, name))[0];
}

export function envelope(specYaml: string, name = 'example-com'): string {
  const spec = specYaml.replace(/^\n/, '').replace(/\s+$/, '');
  const indented = spec
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n');
  return `apiVersion: charter/v1\nkind: EmailSecurity\nmetadata:\n  name: ${name}\nspec:\n${indented}\n`;
}

/** A lint context reading files from the fixtures directory, with a fixed clock. */
export function lintContext(now = new Date('2026-01-15T12:00:00Z'), files: Record<string, Uint8Array | string> = {}): LintContext {
  return {
    now,
    async readLocalFile(doc, relativePath) {
      const inline = files[relativePath];
      if (inline !== undefined) return typeof inline === 'string' ? new TextEncoder().encode(inline) : inline;
      try {
        return new Uint8Array(await readFile(resolve(dirname(doc.absoluteFile), relativePath)));
      } catch {
        return undefined;
      }
    },
  };
}
