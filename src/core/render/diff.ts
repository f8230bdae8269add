/** Values: canonical JSON, pretty printed, as a line diff. */
import { diffArrays } from 'diff';
import { canonicalJson, type Json } from '../json.js';
import type { Change } from '../plan.js';

/**
 * Most lines a value diff aligns (lines removed plus lines added). Myers' algorithm costs about the square
 * of this on input crafted to differ everywhere, and does not depend on the clock, so the same plan always
 * renders the same diff. Beyond it the changed middle is shown as removed, then added.
 */
export const MAX_DIFF_EDITS = 1_000;

function prettyLines(value: Json): string[] {
  return JSON.stringify(JSON.parse(canonicalJson(value)), null, 2).split('\n');
}

/** A line diff of before → after (`- `, `+ `, `  ` prefixes), the way `diff` fences colour it. */
export function valueDiff(change: Pick<Change, 'action' | 'before' | 'after'>): string[] {
  if (change.action === 'run') return change.after === null ? [] : prettyLines(change.after).map((l) => `  ${l}`);
  const before = change.before === null ? [] : prettyLines(change.before);
  const after = change.after === null ? [] : prettyLines(change.after);
  return lineDiff(before, after);
}

/**
 * Line diff by jsdiff (Myers), bounded by `MAX_DIFF_EDITS`. Lines are compared without a trailing comma, so
 * appending an element to a JSON array does not show its previous last element as changed; equal lines
 * show the new text. Within a run of changes, removed lines come before added ones.
 */
function lineDiff(a: string[], b: string[]): string[] {
  const key = (line: string) => (line.endsWith(',') ? line.slice(0, -1) : line);
  const ka = a.map(key);
  const kb = b.map(key);
  // The common head and tail are found in linear time, and stay as context when the bound is hit.
  let start = 0;
  while (start < a.length && start < b.length && ka[start] === kb[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && ka[endA - 1] === kb[endB - 1]) {
    endA--;
    endB--;
  }
  const out = b.slice(0, start).map((l) => `  ${l}`);
  const parts = diffArrays(ka.slice(start, endA), kb.slice(start, endB), { maxEditLength: MAX_DIFF_EDITS });
  if (!parts) {
    out.push(`@@ more than ${MAX_DIFF_EDITS.toLocaleString('en-US')} lines differ: shown whole, old lines removed and new lines added @@`);
    for (let i = start; i < endA; i++) out.push(`- ${a[i]}`);
    for (let j = start; j < endB; j++) out.push(`+ ${b[j]}`);
  } else {
    let i = start;
    let j = start;
    let added: string[] = [];
    for (const part of parts) {
      if (part.removed) {
        for (let k = 0; k < part.count; k++) out.push(`- ${a[i++]}`);
      } else if (part.added) {
        for (let k = 0; k < part.count; k++) added.push(`+ ${b[j++]}`);
      } else {
        out.push(...added);
        added = [];
        for (let k = 0; k < part.count; k++, i++) out.push(`  ${b[j++]}`);
      }
    }
    out.push(...added);
  }
  for (let j = endB; j < b.length; j++) out.push(`  ${b[j]}`);
  return out;
}
