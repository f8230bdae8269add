/**
 * What a check run says about a plan or an apply: the conclusion, a one-line title, the same Markdown as
 * the sticky comment as its summary, the full plan (or apply report) as text and the annotations. Pure.
 *
 * Conclusions: policy errors → `failure`; destructive or disruptive changes that are not allowed (no
 * `charter:allow-destructive` label) → `action_required` (merging would not apply them; a required check
 * keeps the pull request from merging until someone allows them); otherwise `success`, changes or not.
 */
import { codeBlock, truncate } from '../core/markdown.js';
import { isRisky, type Plan } from '../core/plan.js';
import { ALLOW_DESTRUCTIVE_LABEL, COMMENT_MARKER, renderApplyReport, renderComment, renderPlan, summaryLine, type CommentInput } from '../core/render/index.js';
import { toAnnotations } from './annotations.js';
import { CHECK_OUTPUT_LIMIT, truncateBytes, type CheckRunResult } from './check-run.js';

/** Name of the check run on pull request heads. */
export const PLAN_CHECK = 'Charter plan';
/** Name of the check run on merge commits. */
export const APPLY_CHECK = 'Charter apply';

/** The comment's Markdown without its marker and meta (those only mean something in the comment). */
function summaryOf(input: CommentInput): string {
  return renderComment({ ...input, meta: '' }, CHECK_OUTPUT_LIMIT).replace(COMMENT_MARKER, '').trim();
}

/** A text block that fits the check run's text limit (UTF-8 bytes); `note` says where the rest is. */
function textBlock(text: string, note: string): string {
  const room = CHECK_OUTPUT_LIMIT - 64 - Buffer.byteLength(note, 'utf8');
  const cut = Buffer.byteLength(text, 'utf8') > room;
  const body = cut ? `${truncateBytes(text, room)}\n` : text;
  return `${codeBlock(body, 'text')}${cut ? `\n${note}` : ''}`;
}

export function planCheckResult(input: CommentInput, commentUrl?: string): CheckRunResult {
  const p: Plan = input.plan;
  const text = textBlock(renderPlan(p, 'text'), 'The plan is longer than a check run can show; download it with `charter plan --format json`.');
  const base = { summary: summaryOf(input), text, annotations: toAnnotations(p), ...(commentUrl ? { detailsUrl: commentUrl } : {}) };
  if (p.summary.errors > 0) {
    return { ...base, conclusion: 'failure', title: `${p.summary.errors} policy error(s)` };
  }
  const risky = p.changes.filter(isRisky).length;
  if (risky && !input.allowDestructive) {
    return {
      ...base,
      conclusion: 'action_required',
      title: `${risky} risky change(s) need the label ${ALLOW_DESTRUCTIVE_LABEL}`,
    };
  }
  return { ...base, conclusion: 'success', title: p.changes.length ? `Plan: ${summaryLine(p.summary)}` : summaryLine(p.summary) };
}

/** The check run on a merge commit, from the comment the apply wrote (or would have written). */
export function applyCheckResult(outcome: { ok: boolean; reason?: string; input?: CommentInput }): CheckRunResult {
  const { input } = outcome;
  const title = outcome.ok
    ? input?.report
      ? `Applied ${input.report.results.filter((r) => r.status === 'applied').length} change(s)`
      : 'Nothing to apply'
    : truncate(outcome.reason ?? 'Apply failed', 200);
  if (!input) {
    return { conclusion: outcome.ok ? 'success' : 'failure', title, summary: outcome.reason ?? title };
  }
  const text = input.report
    ? textBlock(renderApplyReport(input.report, 'text'), 'The report is longer than a check run can show.')
    : textBlock(renderPlan(input.plan, 'text'), 'The plan is longer than a check run can show.');
  const summary = outcome.reason && !outcome.ok ? `**${outcome.reason}**\n\n${summaryOf(input)}` : summaryOf(input);
  return { conclusion: outcome.ok ? 'success' : 'failure', title, summary, text, annotations: toAnnotations(input.plan) };
}

/** A run that ended with an error (AWS, GitHub, anything thrown): failed, with the reason. */
export function errorCheckResult(reason: string): CheckRunResult {
  return { conclusion: 'failure', title: truncate(`Charter failed: ${reason}`, 200), summary: `Charter failed: ${reason}` };
}
