import { describe, expect, it } from 'vitest';
import { MAX_DIFF_EDITS } from '../../src/core/render/diff.js';
import { renderComment, renderJobSummary, renderPlan, valueDiff } from '../../src/core/render/index.js';
import { change, plan } from './fixtures.js';

const marks = (lines: string[], mark: string) => lines.filter((l) => l.startsWith(mark));
const note = (lines: string[]) => lines.filter((l) => l.startsWith('@@ '));

/** `count` distinct strings; pretty printed as an array they take `count + 2` lines. */
const strings = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describe('value diff of large values', () => {
  it('shows one changed line of a 5,000-line value as one -/+ pair, with the rest as context', () => {
    const before = strings(4_998, 'member');
    const after = before.slice();
    after[2_500] = 'member-2500-renamed';
    const lines = valueDiff({ action: 'update', before, after });
    expect(lines).toHaveLength(5_001);
    expect(marks(lines, '- ')).toEqual(['-   "member-2500",']);
    expect(marks(lines, '+ ')).toEqual(['+   "member-2500-renamed",']);
    expect(note(lines)).toEqual([]);
    expect(lines.indexOf('-   "member-2500",')).toBe(2_501);
    expect(lines[2_502]).toBe('+   "member-2500-renamed",');
  });

  it('aligns changes far apart in a large value (each shown once, not the whole value)', () => {
    const before = strings(5_000, 'grant');
    const after = before.filter((_, i) => i !== 100);
    after.splice(4_800, 0, 'grant-new');
    const lines = valueDiff({ action: 'update', before, after });
    expect(marks(lines, '- ')).toEqual(['-   "grant-100",']);
    expect(marks(lines, '+ ')).toEqual(['+   "grant-new",']);
  });

  it('does not show the previous last element of an array as changed when one is appended', () => {
    const before = strings(3_000, 'x');
    const lines = valueDiff({ action: 'update', before, after: [...before, 'x-new'] });
    expect(marks(lines, '- ')).toEqual([]);
    expect(marks(lines, '+ ')).toEqual(['+   "x-new"']);
    expect(lines.at(-3)).toBe('    "x-2999",');
  });

  it('aligns up to the edit bound, and past it shows the changed middle whole with a note saying so', () => {
    const within = MAX_DIFF_EDITS / 2;
    const at = valueDiff({ action: 'update', before: ['head', ...strings(within, 'a'), 'tail'], after: ['head', ...strings(within, 'b'), 'tail'] });
    expect(note(at)).toEqual([]);
    expect(marks(at, '- ')).toHaveLength(within);
    expect(marks(at, '+ ')).toHaveLength(within);

    const past = valueDiff({ action: 'update', before: ['head', ...strings(within + 1, 'a'), 'tail'], after: ['head', ...strings(within + 1, 'b'), 'tail'] });
    expect(note(past)).toEqual([
      '@@ more than 1,000 lines differ: shown whole, old lines removed and new lines added @@',
    ]);
    // The common head and tail stay as context around the note and the changed middle.
    expect(past.slice(0, 3)).toEqual(['  [', '    "head",', past[2]]);
    expect(past[2]).toMatch(/^@@ /);
    expect(past.slice(-3)).toEqual(['+   "b-500",', '    "tail"', '  ]']);
    expect(marks(past, '- ')).toHaveLength(within + 1);
    expect(marks(past, '+ ')).toHaveLength(within + 1);
  });

  it('gives up quickly on crafted input (20,000 distinct lines against 20,000 others) and falls back clearly', () => {
    const before = strings(20_000, 'old');
    const after = strings(20_000, 'new');
    const started = performance.now();
    const lines = valueDiff({ action: 'update', before, after });
    const elapsed = performance.now() - started;
    expect(note(lines)).toHaveLength(1);
    expect(lines[1]).toMatch(/^@@ more than 1,000 lines differ/);
    expect(marks(lines, '- ')).toHaveLength(20_000);
    expect(marks(lines, '+ ')).toHaveLength(20_000);
    // Every removed line comes before every added line: the old value, then the new one.
    expect(lines.findLastIndex((l) => l.startsWith('- '))).toBeLessThan(lines.findIndex((l) => l.startsWith('+ ')));
    // Bounded by the edit limit, not the input: a full Myers diff of this pair walks 40,000 edit steps.
    expect(elapsed).toBeLessThan(10_000);
  });
});

describe('large values in the rendered outputs', () => {
  // Two changes 1,800 lines apart: the old hand-written diff gave up on this and showed the whole value twice.
  // 2,000 lines fit the job summary's 60,000 characters per value.
  const before = { members: strings(2_000, 'member') };
  const after = { members: before.members.map((m, i) => (i === 100 || i === 1_900 ? `${m}-renamed` : m)) };
  const big = plan([
    change({ address: 'redshift/analytics/grant/reporting', action: 'update', title: 'reporting members', before, after }),
  ]);

  it('the text plan shows the two changed lines, not the whole value', () => {
    const text = renderPlan(big, 'text');
    expect(text.match(/^ {6}- .*$/gm)).toEqual(['      -     "member-100",', '      -     "member-1900",']);
    expect(text.match(/^ {6}\+ .*$/gm)).toEqual(['      +     "member-100-renamed",', '      +     "member-1900-renamed",']);
    expect(text).toContain('      -     "member-1900",\n      +     "member-1900-renamed",\n');
  });

  it('the comment and the job summary show the changed line in their diff block', () => {
    const comment = renderComment({ plan: big, state: 'planned' });
    const summary = renderJobSummary({ plan: big, state: 'planned' });
    expect(summary).toContain('-     "member-100",\n+     "member-100-renamed",');
    expect(summary).toContain('-     "member-1900",\n+     "member-1900-renamed",');
    expect(summary.match(/^[-+] /gm)).toHaveLength(4);
    // The comment keeps 3,000 characters of each value: enough for the first change, not the whole value.
    expect(comment).toContain('-     "member-100",\n+     "member-100-renamed",');
    expect(comment).not.toContain('member-1900');
    expect(comment.length).toBeLessThanOrEqual(65_536);
  });
});
