/**
 * Renders plans, diagnostics, apply reports and drift as text, Markdown or JSON, and builds the sticky
 * pull request comment within GitHub's size limit. Layout lives in `templates/*.hbs`; this module builds
 * the view models (every user-controlled string escaped here) and decides what fits.
 */
import { sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { canonicalJson, type Json } from './json.js';
import { escapeInvisible, foldLineBreaks } from './text.js';
import { codeBlock, escapeMarkdown, inlineCode, link, truncate } from './markdown.js';
import { embedMeta, planMeta, type CommentState } from './plan-meta.js';
import { registerPartials, template } from './templates.js';
import {
  type ApplyReport,
  type Change,
  type ChangeAction,
  type ChangeResult,
  type Plan,
  type PlanSummary,
} from './plan.js';

export type OutputFormat = 'text' | 'markdown' | 'json';

export type { CommentState } from './plan-meta.js';

export interface PlanDifference {
  address: string;
  status: 'added' | 'removed' | 'changed';
}

export interface CommentInput {
  plan: Plan;
  state: CommentState;
  report?: ApplyReport;
  refusal?: { reason: string; differences?: PlanDifference[] };
  runUrl?: string;
  allowDestructive?: boolean;
  commitSha?: string;
  /**
   * Machine-readable block placed right after the marker and always kept within the budget. Defaults to
   * `embedMeta(planMeta(plan, state, { sha: commitSha }))`. Rendered verbatim: it must be an HTML comment
   * that cannot contain `-->` early.
   */
  meta?: string;
}

/** First line of every sticky pull request comment; how Charter finds its comment again. */
export const COMMENT_MARKER = '<!-- charter:comment -->';
/** First line of the drift issue body. */
export const DRIFT_MARKER = '<!-- charter:drift -->';
/** The label that allows destructive and disruptive changes on a pull request. */
export const ALLOW_DESTRUCTIVE_LABEL = 'charter:allow-destructive';

/** GitHub rejects issue and pull request comments (and issue bodies) longer than this. */
export const COMMENT_LIMIT = 65_536;
/** Cap for the job summary (GitHub accepts 1 MiB per step). */
export const JOB_SUMMARY_LIMIT = 1_000_000;

const symbols: Record<ChangeAction, string> = { create: '+', update: '~', delete: '-', replace: '±', run: '▶' };
const resultMarks: Record<ChangeResult['status'], string> = { applied: '✓', failed: '✗', 'not-attempted': '○' };
const resultWords: Record<ChangeResult['status'], string> = {
  applied: 'applied',
  failed: 'failed',
  'not-attempted': 'not attempted',
};

// ---------------------------------------------------------------------------------------------------------
// Templates

registerPartials({ 'changes-text': 'changes.txt.hbs', 'diagnostics-text': 'diagnostics.txt.hbs' });

// ---------------------------------------------------------------------------------------------------------
// Shared wording

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 to create, 1 to update, 1 to delete, 1 destructive", or the no-changes sentence. */
/** Skipped policies named in the scope line, at most; the rest are counted. */
const SCOPE_NAMES_SHOWN = 20;

/**
 * What a plan under scope `changed` left out (issue 15, item 9): the count and the first names, so unrelated
 * drift is not mistaken for covered. Empty under scope `all`.
 */
export function scopeLine(plan: Pick<Plan, 'scope' | 'policies'>): string {
  if (!plan.scope || plan.scope.mode !== 'changed') return '';
  const { skipped } = plan.scope;
  if (!skipped.length) return `Scope: the policies this pull request changed (${plural(plan.policies.length, 'policy', 'policies')}); none left out.`;
  const names = skipped.slice(0, SCOPE_NAMES_SHOWN).join(', ');
  const more = skipped.length > SCOPE_NAMES_SHOWN ? ` and ${skipped.length - SCOPE_NAMES_SHOWN} more` : '';
  return `Scope: the policies this pull request changed (${plural(plan.policies.length, 'policy', 'policies')}); ${plural(skipped.length, 'policy', 'policies')} left out, not planned and not applied on merge: ${names}${more}.`;
}

export function summaryLine(summary: PlanSummary): string {
  if (summary.total === 0) {
    return summary.errors > 0
      ? `No changes planned: the policies have ${plural(summary.errors, 'error')}.`
      : 'No changes. Live state matches the policies.';
  }
  const parts = [`${summary.create} to create`, `${summary.update} to update`];
  if (summary.replace) parts.push(`${summary.replace} to replace`);
  parts.push(`${summary.delete} to delete`);
  if (summary.run) parts.push(`${summary.run} to run`);
  if (summary.destructive) parts.push(`${summary.destructive} destructive`);
  if (summary.disruptive) parts.push(`${summary.disruptive} disruptive`);
  return parts.join(', ');
}

function diagnosticCounts(diagnostics: Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const notices = diagnostics.length - errors - warnings;
  const parts: string[] = [];
  if (errors) parts.push(plural(errors, 'error'));
  if (warnings) parts.push(plural(warnings, 'warning'));
  if (notices) parts.push(plural(notices, 'notice'));
  return parts.join(', ');
}

function riskCounts(changes: Change[]): string {
  const destructive = changes.filter((c) => c.risk === 'destructive').length;
  const disruptive = changes.filter((c) => c.risk === 'disruptive').length;
  const parts: string[] = [];
  if (destructive) parts.push(plural(destructive, 'destructive change'));
  if (disruptive) parts.push(plural(disruptive, 'disruptive change'));
  return parts.join(' and ');
}

interface PolicyGroup {
  name: string;
  file: string;
  changes: Change[];
}

/** Changes grouped per policy, in plan order. */
function groupChanges(changes: Change[]): PolicyGroup[] {
  const groups = new Map<string, PolicyGroup>();
  for (const change of changes) {
    const name = `${change.kind}/${change.policy}`;
    let group = groups.get(name);
    if (!group) groups.set(name, (group = { name, file: change.file, changes: [] }));
    group.changes.push(change);
  }
  return [...groups.values()];
}

function actionCounts(changes: Change[]): string {
  const counts = new Map<ChangeAction, number>();
  for (const c of changes) counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
  const words: Record<ChangeAction, string> = {
    create: 'to create',
    update: 'to update',
    replace: 'to replace',
    delete: 'to delete',
    run: 'to run',
  };
  const parts = (['create', 'update', 'replace', 'delete', 'run'] as const)
    .filter((a) => counts.get(a))
    .map((a) => `${counts.get(a)} ${words[a]}`);
  const destructive = changes.filter((c) => c.risk === 'destructive').length;
  const disruptive = changes.filter((c) => c.risk === 'disruptive').length;
  if (destructive) parts.push(`${destructive} destructive`);
  if (disruptive) parts.push(`${disruptive} disruptive`);
  return parts.join(', ');
}

function resultsByAddress(report: ApplyReport | undefined): Map<string, ChangeResult> | undefined {
  return report ? new Map(report.results.map((r) => [r.address, r])) : undefined;
}

/** A change's result; a change the report has no result for was not attempted. */
function resultOf(results: Map<string, ChangeResult>, change: Change): ChangeResult {
  return results.get(change.address) ?? { address: change.address, status: 'not-attempted' };
}

/** Every change of the plan with its result, and how many ended in each status. */
function outcomes(plan: Plan, report: ApplyReport | undefined) {
  const results = resultsByAddress(report) ?? new Map<string, ChangeResult>();
  const list = plan.changes.map((change) => ({ change, result: resultOf(results, change) }));
  const count = (status: ChangeResult['status']) => list.filter((o) => o.result.status === status).length;
  return { list, applied: count('applied'), failed: count('failed'), notAttempted: count('not-attempted') };
}

// ---------------------------------------------------------------------------------------------------------
// Values: canonical JSON, pretty printed, as a line diff

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

// ---------------------------------------------------------------------------------------------------------
// Text

/** One visible line: line breaks folded (linearly), any other invisible character escaped. */
function oneLine(text: string): string {
  return escapeInvisible(foldLineBreaks(text));
}

function indentContinuation(text: string, indent: string): string {
  return text.replace(/\r?\n/g, `\n${indent}`);
}

function textDiagnostics(diagnostics: Diagnostic[]) {
  return {
    diagnostics: sortDiagnostics(diagnostics).map((d) => ({
      location: `${d.file}:${d.line}:${d.column}`,
      severity: d.severity,
      code: d.code,
      message: oneLine(d.message),
      hint: d.hint ? oneLine(d.hint) : '',
    })),
    counts: diagnostics.length ? diagnosticCounts(diagnostics) : 'No problems found.',
  };
}

function textGroups(changes: Change[]) {
  return groupChanges(changes).map((group) => ({
    name: group.name,
    file: group.file,
    changes: group.changes.map((c) => ({
      symbol: symbols[c.action],
      title: oneLine(c.title),
      action: c.action,
      risk: c.risk === 'safe' ? '' : c.risk,
      address: escapeInvisible(c.address),
      account: escapeInvisible(c.account ?? ''),
      location: escapeInvisible(`${c.file}:${c.line}:${c.column}`),
      reason: oneLine(c.reason),
      lines: valueDiff(c).map(escapeInvisible),
    })),
  }));
}

function finish(text: string): string {
  return `${text.trimEnd()}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// Markdown pieces

interface MarkdownLimits {
  /** Longest title, address or reason shown. */
  text: number;
  /** Longest before/after block shown per change. */
  value: number;
}

const commentLimits: MarkdownLimits = { text: 300, value: 3_000 };
const summaryLimits: MarkdownLimits = { text: 2_000, value: 60_000 };
const unlimited: MarkdownLimits = { text: Number.POSITIVE_INFINITY, value: Number.POSITIVE_INFINITY };

function md(text: string, max: number): string {
  return escapeMarkdown(truncate(text, max));
}

function code(text: string, max: number): string {
  return inlineCode(truncate(text, max));
}

function changeBlock(change: Change, limits: MarkdownLimits, result?: ChangeResult): string {
  const lines = valueDiff(change);
  const value = lines.length
    ? codeBlock(truncate(lines.join('\n'), limits.value), change.action === 'run' ? 'json' : 'diff')
    : '';
  let status = '';
  if (result) {
    status = `${resultMarks[result.status]} ${resultWords[result.status]}`;
    if (result.error) status += `: ${md(result.error, limits.text * 2)}`;
  }
  return template('change.md.hbs')({
    symbol: inlineCode(symbols[change.action]),
    title: md(change.title, limits.text),
    action: change.action,
    risk: change.risk === 'safe' ? '' : change.risk,
    status,
    address: code(change.address, limits.text),
    account: change.account ? code(change.account, limits.text) : '',
    location: code(`${change.file}:${change.line}:${change.column}`, limits.text),
    reason: md(change.reason, limits.text * 2),
    value,
  }).trimEnd();
}

function policyBlock(group: PolicyGroup, body: string, hidden: number, open: boolean, limits: MarkdownLimits): string {
  return template('policy.md.hbs')({
    open,
    name: md(group.name, limits.text),
    file: md(group.file, limits.text),
    counts: escapeMarkdown(actionCounts(group.changes)),
    body,
    hidden,
  }).trimEnd();
}

interface AlertView {
  alert: 'NOTE' | 'TIP' | 'IMPORTANT' | 'WARNING' | 'CAUTION';
  headline: string;
  items: string[];
  hiddenWhat: string;
}

function alertBlock(view: AlertView, shown: string[], hidden: number, elsewhere: string): string {
  return template('alert.md.hbs')({ ...view, items: shown, hidden, elsewhere, list: shown.length > 0 || hidden > 0 }).trimEnd();
}

function riskItem(change: Change, limits: MarkdownLimits): string {
  return `${inlineCode(symbols[change.action])} ${code(change.address, limits.text)} **${change.risk}**: ${md(
    change.reason,
    limits.text * 2,
  )}`;
}

function diagnosticItem(d: Diagnostic, limits: MarkdownLimits): string {
  const hint = d.hint ? `<br>Hint: ${md(d.hint, limits.text * 2)}` : '';
  return `${code(`${d.file}:${d.line}:${d.column}`, limits.text)} **${d.severity}** ${code(d.code, limits.text)}: ${md(
    d.message,
    limits.text * 3,
  )}${hint}`;
}

interface DiagnosticGroupView {
  heading: string;
  items: string[];
  hidden: number;
  /** Where the hidden ones can be read. */
  elsewhere: string;
}

function diagnosticsBlock(groups: DiagnosticGroupView[]): string {
  const shown = groups.filter((g) => g.items.length || g.hidden);
  return shown.length ? template('diagnostics.md.hbs')({ groups: shown }).trimEnd() : '';
}

/** The largest `k <= count` for which `fits(k)`, by bisection (what is rendered grows with `k`); 0 if none. */
function fitPrefix(count: number, fits: (k: number) => boolean): number {
  if (fits(count)) return count;
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------------------
// The Markdown document: PR comment, job summary, drift issue, CLI markdown

/** What the document reports on: a plan on a pull request, or drift. */
type DocumentKind = 'plan' | 'drift';
/** Where the document goes; decides the size budget, the marker and what "elsewhere" means. */
type DocumentTarget = 'comment' | 'summary' | 'issue' | 'cli';

interface DocumentOptions {
  kind: DocumentKind;
  target: DocumentTarget;
  limit: number;
  limits: MarkdownLimits;
  marker?: string;
  title?: string;
}

const commentTitles: Record<CommentState, string> = {
  planned: 'Charter plan',
  applied: '✅ Charter applied the plan',
  'apply-failed': '❌ Charter apply failed',
  refused: '⛔ Charter refused to apply',
  blocked: '🛑 Charter apply blocked',
};

const slotOrder = ['status', 'risk', 'diagnostics', 'details', 'more'] as const;
type Slot = (typeof slotOrder)[number];

function renderDocument(input: CommentInput, options: DocumentOptions): string {
  const { plan, state } = input;
  const { limits, kind, target } = options;
  const elsewhere = target === 'comment' ? 'the job summary or `plan.json`' : '`plan.json`';
  const results = resultsByAddress(input.report);
  const runLink = input.runUrl ? link('workflow run', input.runUrl) : '';
  const commit = input.commitSha ? inlineCode(truncate(input.commitSha, 40)) : '';

  const footer = template('footer.md.hbs')({
    mode: kind === 'drift' ? 'drift' : target === 'cli' ? 'document' : 'comment',
    state,
    hasChanges: plan.changes.length > 0,
    fingerprint: inlineCode(plan.fingerprint),
    short: inlineCode(`${plan.fingerprint.slice(0, 12)}…`),
    trail: [commit && `commit ${commit}`, runLink].filter(Boolean).join(' · '),
  })
    .replace(/\n/g, '')
    .trim();

  const head = {
    marker: options.marker ?? '',
    meta: target === 'comment' ? (input.meta ?? embedMeta(planMeta(plan, state, { sha: input.commitSha }))) : '',
    title: options.title ? md(options.title, limits.text) : kind === 'drift' ? driftTitle(plan) : commentTitles[state],
    summaryLabel: kind === 'plan' ? 'Plan:' : plan.changes.length ? 'Drift:' : '',
    summary: escapeMarkdown(kind === 'drift' ? driftSummary(plan) : summaryLine(plan.summary)),
    scope: escapeMarkdown(scopeLine(plan)),
    counts: escapeMarkdown(diagnosticCounts(plan.diagnostics)),
    footer,
  };
  const slots: Record<Slot, string> = { status: '', risk: '', diagnostics: '', details: '', more: '' };
  const render = () => finish(template('comment.md.hbs')({ ...head, sections: slotOrder.map((s) => slots[s]).filter(Boolean) }));

  // What may be left out is announced by the "more" line: reserve room for its longest form up front.
  const moreLine = (count: number) =>
    template('more.md.hbs')({ count, target, limit: options.limit.toLocaleString('en-US'), runLink }).trim();
  slots.more = plan.changes.length ? moreLine(plan.changes.length) : '';
  const fits = () => render().length <= options.limit;

  /** Fills a slot with the longest prefix of a list that still fits; returns how many items are shown. */
  const fill = (slot: Slot, count: number, build: (shown: number) => string): number => {
    const shown = fitPrefix(count, (k) => {
      slots[slot] = build(k);
      return fits();
    });
    slots[slot] = build(shown);
    return shown;
  };

  // 1. Status of this run (apply result, refusal with the differences from the reviewed plan).
  const status = kind === 'plan' ? statusView(input, limits) : undefined;
  if (status) {
    fill('status', status.items.length, (k) => alertBlock(status, status.items.slice(0, k), status.items.length - k, elsewhere));
  }

  // 2. Risky changes, always before anything else about the plan.
  const risky = plan.changes.filter((c) => c.risk !== 'safe');
  if (risky.length && kind === 'plan') {
    const view = riskView(input, risky, limits);
    fill('risk', view.items.length, (k) => alertBlock(view, view.items.slice(0, k), view.items.length - k, elsewhere));
  }

  // 3. Errors, then warnings and notices.
  const sorted = sortDiagnostics(plan.diagnostics);
  const errors = sorted.filter((d) => d.severity === 'error').map((d) => diagnosticItem(d, limits));
  const others = sorted.filter((d) => d.severity !== 'error').map((d) => diagnosticItem(d, limits));
  const diagGroups = (e: number, o: number): DiagnosticGroupView[] => [
    { heading: 'Errors', items: errors.slice(0, e), hidden: errors.length - e, elsewhere },
    { heading: 'Warnings and notices', items: others.slice(0, o), hidden: others.length - o, elsewhere },
  ];
  const shownErrors = errors.length ? fill('diagnostics', errors.length, (k) => diagnosticsBlock(diagGroups(k, 0))) : 0;
  if (others.length) fill('diagnostics', others.length, (k) => diagnosticsBlock(diagGroups(shownErrors, k)));

  // 4. Per-policy details in plan order, as many changes as fit. Lengths add up exactly: blocks are
  // joined with a blank line and a policy block is its overhead plus the joined change blocks.
  if (plan.changes.length) {
    slots.details = 'x';
    let remaining = options.limit - (render().length - 1);
    const blocks: string[] = [];
    const open = plan.changes.length <= 10;
    let shown = 0;
    for (const group of groupChanges(plan.changes)) {
      const sep = blocks.length ? 2 : 0;
      const overhead = policyBlock(group, '', 0, open, limits).length;
      const body: string[] = [];
      let bodyLength = 0;
      for (const change of group.changes) {
        const block = changeBlock(change, limits, results && resultOf(results, change));
        const add = (body.length ? 2 : 0) + block.length;
        if (sep + overhead + bodyLength + add > remaining) break;
        body.push(block);
        bodyLength += add;
      }
      if (body.length === group.changes.length) {
        const block = policyBlock(group, body.join('\n\n'), 0, open, limits);
        blocks.push(block);
        remaining -= sep + block.length;
        shown += body.length;
        continue;
      }
      // Budget hit inside this group: keep what fits next to the "N more changes" note, then stop.
      const partialOverhead = policyBlock(group, '', group.changes.length, open, limits).length;
      while (body.length && sep + partialOverhead + bodyLength > remaining) {
        bodyLength -= (body.length > 1 ? 2 : 0) + (body.pop() ?? '').length;
      }
      if (body.length) {
        blocks.push(policyBlock(group, body.join('\n\n'), group.changes.length - body.length, open, limits));
        shown += body.length;
      }
      break;
    }
    slots.details = blocks.join('\n\n');
    const hidden = plan.changes.length - shown;
    slots.more = hidden ? moreLine(hidden) : '';
  }

  const out = render();
  return out.length <= options.limit ? out : hardLimit(out, options.limit);
}

/** Last resort when even the always-kept parts exceed the limit: cut the end, keep the marker and meta. */
function hardLimit(text: string, limit: number): string {
  const note = '\n\nCut to fit the size limit: the full plan is in the job summary and `plan.json`.\n';
  return `${truncate(text, Math.max(0, limit - note.length))}${note}`;
}

function driftTitle(plan: Plan): string {
  return plan.changes.length ? 'Charter found drift' : 'Charter drift check';
}

function driftSummary(plan: Plan): string {
  if (plan.summary.total === 0) {
    return plan.summary.errors > 0
      ? `Drift could not be checked: the policies have ${plural(plan.summary.errors, 'error')}.`
      : 'No drift. Live state matches the policies.';
  }
  return summaryLine(plan.summary);
}

function statusView(input: CommentInput, limits: MarkdownLimits): AlertView | undefined {
  const { plan, state } = input;
  switch (state) {
    case 'planned':
      if (plan.summary.errors === 0) return undefined;
      return {
        alert: 'CAUTION',
        headline: `**The policies have ${plural(plan.summary.errors, 'error')}.** Nothing can be applied until ${
          plan.summary.errors === 1 ? 'it is' : 'they are'
        } fixed.`,
        items: [],
        hiddenWhat: 'errors',
      };
    case 'blocked': {
      const reason = input.refusal?.reason ?? input.report?.refused;
      return {
        alert: 'CAUTION',
        headline: `**Apply was blocked:** ${
          reason
            ? md(reason, limits.text * 3)
            : `the plan has ${riskCounts(plan.changes) || 'risky changes'} that were not allowed.`
        } Nothing was applied.`,
        items: [],
        hiddenWhat: 'changes',
      };
    }
    case 'refused': {
      const reason = input.refusal?.reason ?? input.report?.refused ?? 'the plan could not be applied.';
      const differences = input.refusal?.differences ?? [];
      const words = {
        added: 'not in the reviewed plan',
        removed: 'reviewed, no longer planned',
        changed: 'changed since review',
      };
      const marks = { added: '+', removed: '-', changed: '~' };
      return {
        alert: 'CAUTION',
        headline: `**Charter refused to apply:** ${md(reason, limits.text * 3)} Nothing was applied.${
          differences.length ? '<br>The plan computed at merge differs from the plan reviewed on this pull request:' : ''
        }`,
        items: differences.map((d) => `${inlineCode(marks[d.status])} ${code(d.address, limits.text)}: ${words[d.status]}`),
        hiddenWhat: 'differences',
      };
    }
    case 'applied': {
      if (plan.changes.length === 0) {
        return {
          alert: 'NOTE',
          headline: '**Nothing to apply.** Live state already matched the policies.',
          items: [],
          hiddenWhat: '',
        };
      }
      const applied = input.report ? outcomes(plan, input.report).applied : plan.changes.length;
      return {
        alert: 'TIP',
        headline: `**Applied ${plural(applied, 'change')}${applied < plan.changes.length ? ` of ${plan.changes.length}` : ''}.**`,
        items: [],
        hiddenWhat: '',
      };
    }
    case 'apply-failed': {
      const outcome = outcomes(plan, input.report);
      const refused = input.report?.refused;
      return {
        alert: 'CAUTION',
        headline: `**Apply failed:** ${outcome.applied} applied, ${outcome.failed} failed, ${outcome.notAttempted} not attempted.${
          refused ? ` ${md(refused, limits.text * 3)}` : ''
        }`,
        items: outcome.list
          .filter((o) => o.result.status === 'failed')
          .map(
            (o) =>
              `${inlineCode('✗')} ${code(o.change.address, limits.text)}: ${md(o.result.error ?? 'failed without an error message', limits.text * 3)}`,
          ),
        hiddenWhat: 'failures',
      };
    }
  }
}

function riskView(input: CommentInput, risky: Change[], limits: MarkdownLimits): AlertView {
  const counts = riskCounts(risky);
  const items = risky.map((c) => riskItem(c, limits));
  const label = inlineCode(ALLOW_DESTRUCTIVE_LABEL);
  // On the pull request, say whether merging will apply them; after the merge the status says what happened.
  const pending = input.state === 'planned';
  if (pending && !input.allowDestructive) {
    return {
      alert: 'CAUTION',
      headline: `**Apply is blocked:** this plan has ${counts}. Add the label ${label} to this pull request (or set the ${inlineCode(
        'allow-destructive',
      )} input) to allow ${risky.length === 1 ? 'it' : 'them'}.`,
      items,
      hiddenWhat: 'risky changes',
    };
  }
  if (pending) {
    return {
      alert: 'WARNING',
      headline: `**This plan has ${counts}.** They are allowed for this run (label ${label} or input ${inlineCode(
        'allow-destructive',
      )}): review them before merging.`,
      items,
      hiddenWhat: 'risky changes',
    };
  }
  return { alert: 'WARNING', headline: `**This plan has ${counts}:**`, items, hiddenWhat: 'risky changes' };
}

// ---------------------------------------------------------------------------------------------------------
// Public API

export function renderPlan(plan: Plan, format: OutputFormat, opts: { title?: string } = {}): string {
  if (format === 'json') return `${JSON.stringify(plan, null, 2)}\n`;
  if (format === 'markdown') {
    return renderDocument(
      { plan, state: 'planned' },
      { kind: 'plan', target: 'cli', limit: Number.POSITIVE_INFINITY, limits: unlimited, title: opts.title },
    );
  }
  return finish(
    template('plan.txt.hbs')({
      title: opts.title ? oneLine(opts.title) : '',
      summary: plan.changes.length ? `Plan: ${summaryLine(plan.summary)}` : summaryLine(plan.summary),
      scope: scopeLine(plan),
      ...textDiagnostics(plan.diagnostics),
      groups: textGroups(plan.changes),
      fingerprint: plan.changes.length ? plan.fingerprint : '',
    }),
  );
}

/** How a list of diagnostics is summed up: after `validate` it judges the policies, after `verify` the live state. */
export interface DiagnosticsWording {
  clean: string;
  passed: string;
  failed: string;
}

export const VALIDATION_WORDING: DiagnosticsWording = {
  clean: 'The policies are valid. No problems found.',
  passed: 'The policies are valid',
  failed: 'The policies are invalid',
};

export const VERIFY_WORDING: DiagnosticsWording = {
  clean: 'What the internet sees matches the policies. No problems found.',
  passed: 'What the internet sees matches the policies',
  failed: 'What the internet sees differs from the policies',
};

export function renderDiagnostics(diagnostics: Diagnostic[], format: OutputFormat, wording: DiagnosticsWording = VALIDATION_WORDING): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (format === 'json') {
    const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
    return `${JSON.stringify({ valid: errors === 0, errors, warnings, diagnostics: sortDiagnostics(diagnostics) }, null, 2)}\n`;
  }
  if (format === 'markdown') {
    const sorted = sortDiagnostics(diagnostics);
    const block = diagnosticsBlock([
      {
        heading: 'Errors',
        items: sorted.filter((d) => d.severity === 'error').map((d) => diagnosticItem(d, unlimited)),
        hidden: 0,
        elsewhere: '',
      },
      {
        heading: 'Warnings and notices',
        items: sorted.filter((d) => d.severity !== 'error').map((d) => diagnosticItem(d, unlimited)),
        hidden: 0,
        elsewhere: '',
      },
    ]);
    const [first, ...rest] = wording.clean.split('. ');
    const headline = diagnostics.length
      ? `**${errors ? wording.failed : wording.passed}:** ${diagnosticCounts(diagnostics)}.`
      : `**${first}.** ${rest.join('. ')}`;
    return finish(block ? `${headline}\n\n${block}` : headline);
  }
  if (diagnostics.length === 0) return `${wording.clean}\n`;
  return finish(template('diagnostics.txt.hbs')(textDiagnostics(diagnostics)));
}

export function renderApplyReport(report: ApplyReport, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const { plan } = report;
  const outcome = outcomes(plan, report);
  let headline: string;
  if (plan.changes.length === 0) headline = 'Nothing to apply. Live state matches the policies.';
  else if (report.refused) headline = `Nothing was applied: ${plural(plan.changes.length, 'change')} not attempted.`;
  else if (outcome.applied === plan.changes.length) headline = `Applied ${plural(plan.changes.length, 'change')}.`;
  else {
    headline = `Applied ${outcome.applied} of ${plural(plan.changes.length, 'change')}: ${outcome.failed} failed, ${outcome.notAttempted} not attempted.`;
  }

  if (format === 'markdown') {
    const cell = (text: string) => text.replace(/\|/g, '\\|');
    return finish(
      template('apply.md.hbs')({
        title: report.refused ? 'Charter refused to apply' : report.ok ? 'Charter applied the plan' : 'Charter apply failed',
        refused: report.refused ? escapeMarkdown(report.refused) : '',
        headline: escapeMarkdown(headline),
        fingerprint: inlineCode(plan.fingerprint),
        results: outcome.list.map(({ change, result }) => ({
          mark: resultMarks[result.status],
          symbol: cell(inlineCode(symbols[change.action])),
          address: cell(inlineCode(change.address)),
          status: resultWords[result.status],
          error: result.error ? escapeMarkdown(result.error) : '',
          detail: result.detail ? escapeMarkdown(result.detail) : '',
        })),
      }),
    );
  }
  return finish(
    template('apply.txt.hbs')({
      refused: report.refused ? oneLine(report.refused) : '',
      headline,
      results: outcome.list.map(({ change, result }) => ({
        mark: resultMarks[result.status],
        symbol: symbols[change.action],
        address: change.address,
        status: resultWords[result.status],
        error: result.error ? indentContinuation(result.error, '             ') : '',
        detail: result.detail ? oneLine(result.detail) : '',
      })),
    }),
  );
}

export function renderDriftReport(plan: Plan, format: OutputFormat): string {
  if (format === 'json') {
    return `${JSON.stringify(
      {
        drift: plan.changes.length > 0,
        fingerprint: plan.fingerprint,
        summary: plan.summary,
        changes: plan.changes,
        diagnostics: plan.diagnostics,
      },
      null,
      2,
    )}\n`;
  }
  if (format === 'markdown') {
    return renderDocument(
      { plan, state: 'planned' },
      { kind: 'drift', target: 'cli', limit: Number.POSITIVE_INFINITY, limits: unlimited },
    );
  }
  return finish(
    template('drift.txt.hbs')({
      summary: plan.changes.length ? `Drift: ${summaryLine(plan.summary)}` : driftSummary(plan),
      ...textDiagnostics(plan.diagnostics),
      groups: textGroups(plan.changes),
    }),
  );
}

/** The sticky pull request comment: marker and meta first, then as much of the plan as fits in `limit`. */
export function renderComment(input: CommentInput, limit: number = COMMENT_LIMIT): string {
  return renderDocument(input, { kind: 'plan', target: 'comment', limit, limits: commentLimits, marker: COMMENT_MARKER });
}

/** The job summary: the same layout with the whole plan (capped at 1,000,000 characters), no marker. */
export function renderJobSummary(input: CommentInput): string {
  return renderDocument(input, { kind: 'plan', target: 'summary', limit: JOB_SUMMARY_LIMIT, limits: summaryLimits });
}

/** Body of the drift issue (an issue body has the same 65,536-character limit as a comment). */
export function renderDriftIssue(plan: Plan, opts: { runUrl?: string } = {}): string {
  return renderDocument(
    { plan, state: 'planned', runUrl: opts.runUrl },
    { kind: 'drift', target: 'issue', limit: COMMENT_LIMIT, limits: commentLimits, marker: DRIFT_MARKER },
  );
}
