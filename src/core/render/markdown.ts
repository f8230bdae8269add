/**
 * The Markdown document (sticky pull request comment, job summary, drift issue, CLI Markdown) and the
 * size budget that decides how much of the plan fits.
 */
import { sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import { codeBlock, escapeMarkdown, inlineCode, link, truncate } from '../markdown.js';
import { embedMeta, planMeta, type CommentState } from '../plan-meta.js';
import type { ApplyReport, Change, ChangeResult, Plan } from '../plan.js';
import { template } from '../templates.js';
import {
  actionCounts,
  diagnosticCounts,
  finish,
  groupChanges,
  outcomes,
  plural,
  resultMarks,
  resultOf,
  resultsByAddress,
  resultWords,
  riskCounts,
  scopeLine,
  summaryLine,
  symbols,
  type PolicyGroup,
} from './common.js';
import { valueDiff } from './diff.js';

export type { CommentState } from '../plan-meta.js';

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
  /** The workflow artifact holding `plan.json` and the text plan, when the run uploaded one. */
  artifactUrl?: string;
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

// ---------------------------------------------------------------------------------------------------------
// Pieces

export interface MarkdownLimits {
  /** Longest title, address or reason shown. */
  text: number;
  /** Longest before/after block shown per change. */
  value: number;
}

const commentLimits: MarkdownLimits = { text: 300, value: 3_000 };
const summaryLimits: MarkdownLimits = { text: 2_000, value: 60_000 };
export const unlimited: MarkdownLimits = { text: Number.POSITIVE_INFINITY, value: Number.POSITIVE_INFINITY };

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

export function diagnosticItem(d: Diagnostic, limits: MarkdownLimits): string {
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

export function diagnosticsBlock(groups: DiagnosticGroupView[]): string {
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

export function renderDocument(input: CommentInput, options: DocumentOptions): string {
  const { plan, state } = input;
  const { limits, kind, target } = options;
  const elsewhere = target === 'comment' ? 'the job summary or `plan.json`' : '`plan.json`';
  const results = resultsByAddress(input.report);
  const runLink = input.runUrl ? link('workflow run', input.runUrl) : '';
  const artifactLink = input.artifactUrl ? link('plan artifact', input.artifactUrl) : '';
  const commit = input.commitSha ? inlineCode(truncate(input.commitSha, 40)) : '';

  const footer = template('footer.md.hbs')({
    mode: kind === 'drift' ? 'drift' : target === 'cli' ? 'document' : 'comment',
    state,
    hasChanges: plan.changes.length > 0,
    fingerprint: inlineCode(plan.fingerprint),
    short: inlineCode(`${plan.fingerprint.slice(0, 12)}…`),
    trail: [commit && `commit ${commit}`, runLink, artifactLink].filter(Boolean).join(' · '),
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
    template('more.md.hbs')({ count, target, limit: options.limit.toLocaleString('en-US'), runLink, artifactLink }).trim();
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

export function driftSummary(plan: Plan): string {
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


/** The sticky pull request comment: marker and meta first, then as much of the plan as fits in `limit`. */
export function renderComment(input: CommentInput, limit: number = COMMENT_LIMIT): string {
  return renderDocument(input, { kind: 'plan', target: 'comment', limit, limits: commentLimits, marker: COMMENT_MARKER });
}

/** The job summary: the same layout with the whole plan (capped at 1,000,000 characters), no marker. */
export function renderJobSummary(input: CommentInput): string {
  return renderDocument(input, { kind: 'plan', target: 'summary', limit: JOB_SUMMARY_LIMIT, limits: summaryLimits });
}

/** Body of the drift issue (an issue body has the same 65,536-character limit as a comment). */
export function renderDriftIssue(plan: Plan, opts: { runUrl?: string; artifactUrl?: string } = {}): string {
  return renderDocument(
    { plan, state: 'planned', runUrl: opts.runUrl, artifactUrl: opts.artifactUrl },
    { kind: 'drift', target: 'issue', limit: COMMENT_LIMIT, limits: commentLimits, marker: DRIFT_MARKER },
  );
}
