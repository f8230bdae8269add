/**
 * The shared lint rule every provider runs on its policies: names and values may not contain control,
 * bidirectional or invisible format characters. A newline in a role name forges lines in the text plan,
 * U+202E shows reviewers a reversed name, NUL makes the apply fail; none is ever meant.
 */
import type { Diagnostic } from './diagnostics.js';
import { diagnosticAt, type PathSegment, type PolicyDocument } from './document.js';
import { invisibleCharacter } from './text.js';

/** Keys whose values are free text for people (newlines allowed there; controls still escaped when rendered). */
const FREE_TEXT_KEYS = new Set(['description']);
/** Reported per document at most: one bad generator should not produce thousands of lines. */
const MAX_REPORTED = 20;

/** Every string key and value in `metadata.name` and `spec` holding an invisible character, as positioned errors. */
export function invisibleCharacterDiagnostics(doc: PolicyDocument): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (path: PathSegment[], text: string, isKey: boolean) => {
    const found = invisibleCharacter(text);
    if (!found || out.length >= MAX_REPORTED) return;
    const where = path.join('.');
    out.push(
      diagnosticAt(
        doc,
        path,
        'policy/invisible-character',
        'error',
        `${isKey ? `A key in ${path.slice(0, -1).join('.')}` : where} contains the control or invisible character ${found.codePoint} at position ${found.index + 1}`,
        'Names and values must be visible text: remove control, bidirectional and zero-width characters (retype the value).',
      ),
    );
  };
  report(['metadata', 'name'], doc.name, false);
  // Iterative: documents are at most MAX_YAML_DEPTH deep, but no recursion is needed at all.
  const stack: Array<[unknown, PathSegment[]]> = [[doc.spec, ['spec']]];
  while (stack.length && out.length < MAX_REPORTED) {
    const [value, path] = stack.pop() as [unknown, PathSegment[]];
    if (typeof value === 'string') report(path, value, false);
    else if (Array.isArray(value)) value.forEach((item, i) => stack.push([item, [...path, i]]));
    else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        report([...path, key], key, true);
        if (!FREE_TEXT_KEYS.has(key)) stack.push([item, [...path, key]]);
      }
    }
  }
  return out;
}
