/**
 * Renders plans, diagnostics, apply reports and drift as text, Markdown or JSON, and builds the sticky
 * pull request comment within GitHub's size limit. Layout lives in `templates/*.hbs`; these modules build
 * the view models (every user-controlled string escaped there) and decide what fits. One module per output:
 * `text` (plan and drift report), `markdown` (comment, job summary, drift issue and their size budget),
 * `diagnostics`, `apply-report`; `diff` turns a value change into lines, `common` holds the shared wording.
 */
export { scopeLine, summaryLine, type OutputFormat } from './common.js';
export { valueDiff } from './diff.js';
export { renderPlan, renderDriftReport } from './text.js';
export { renderDiagnostics, VALIDATION_WORDING, VERIFY_WORDING, type DiagnosticsWording } from './diagnostics.js';
export { renderApplyReport } from './apply-report.js';
export {
  ALLOW_DESTRUCTIVE_LABEL,
  COMMENT_LIMIT,
  COMMENT_MARKER,
  DRIFT_MARKER,
  JOB_SUMMARY_LIMIT,
  renderComment,
  renderDriftIssue,
  renderJobSummary,
  type CommentInput,
  type CommentState,
  type PlanDifference,
} from './markdown.js';
