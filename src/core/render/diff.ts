/** Values: canonical JSON, pretty printed, as a line diff. */
import { canonicalJson, type Json } from '../json.js';
import type { Change } from '../plan.js';

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
 * Line diff by longest common subsequence. Lines are compared without a trailing comma, so appending an
 * element to a JSON array does not show its previous last element as changed; equal lines show the new text.
 */
function lineDiff(a: string[], b: string[]): string[] {
  const key = (line: string) => (line.endsWith(',') ? line.slice(0, -1) : line);
  const ka = a.map(key);
  const kb = b.map(key);
  let start = 0;
  while (start < a.length && start < b.length && ka[start] === kb[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && ka[endA - 1] === kb[endB - 1]) {
    endA--;
    endB--;
  }
  const out = b.slice(0, start).map((l) => `  ${l}`);
  const n = endA - start;
  const m = endB - start;
  if (n * m > 250_000) {
    for (let i = start; i < endA; i++) out.push(`- ${a[i]}`);
    for (let j = start; j < endB; j++) out.push(`+ ${b[j]}`);
  } else {
    // lcs[i][j]: longest common subsequence of ka[start+i..endA) and kb[start+j..endB).
    const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i][j] = ka[start + i] === kb[start + j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && ka[start + i] === kb[start + j]) {
        out.push(`  ${b[start + j]}`);
        i++;
        j++;
      } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.push(`- ${a[start + i]}`);
        i++;
      } else {
        out.push(`+ ${b[start + j]}`);
        j++;
      }
    }
  }
  for (let j = endB; j < b.length; j++) out.push(`  ${b[j]}`);
  return out;
}
