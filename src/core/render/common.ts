/** What every renderer shares: the symbols, the sentences that count things, and apply results per change. */
import type { Diagnostic } from '../diagnostics.js';
import type { ApplyReport, Change, ChangeAction, ChangeResult, Plan, PlanSummary } from '../plan.js';

export type OutputFormat = 'text' | 'markdown' | 'json';

export const symbols: Record<ChangeAction, string> = { create: '+', update: '~', delete: '-', replace: '±', run: '▶' };
export const resultMarks: Record<ChangeResult['status'], string> = { applied: '✓', failed: '✗', 'not-attempted': '○' };
export const resultWords: Record<ChangeResult['status'], string> = {
  applied: 'applied',
  failed: 'failed',
  'not-attempted': 'not attempted',
};

// Shared wording

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

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

/** "3 to create, 1 to update, 1 to delete, 1 destructive", or the no-changes sentence. */
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

export function diagnosticCounts(diagnostics: Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const notices = diagnostics.length - errors - warnings;
  const parts: string[] = [];
  if (errors) parts.push(plural(errors, 'error'));
  if (warnings) parts.push(plural(warnings, 'warning'));
  if (notices) parts.push(plural(notices, 'notice'));
  return parts.join(', ');
}

export function riskCounts(changes: Change[]): string {
  const destructive = changes.filter((c) => c.risk === 'destructive').length;
  const disruptive = changes.filter((c) => c.risk === 'disruptive').length;
  const parts: string[] = [];
  if (destructive) parts.push(plural(destructive, 'destructive change'));
  if (disruptive) parts.push(plural(disruptive, 'disruptive change'));
  return parts.join(' and ');
}

export interface PolicyGroup {
  name: string;
  file: string;
  changes: Change[];
}

/** Changes grouped per policy, in plan order. */
export function groupChanges(changes: Change[]): PolicyGroup[] {
  const groups = new Map<string, PolicyGroup>();
  for (const change of changes) {
    const name = `${change.kind}/${change.policy}`;
    let group = groups.get(name);
    if (!group) groups.set(name, (group = { name, file: change.file, changes: [] }));
    group.changes.push(change);
  }
  return [...groups.values()];
}

export function actionCounts(changes: Change[]): string {
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

export function resultsByAddress(report: ApplyReport | undefined): Map<string, ChangeResult> | undefined {
  return report ? new Map(report.results.map((r) => [r.address, r])) : undefined;
}

/** A change's result; a change the report has no result for was not attempted. */
export function resultOf(results: Map<string, ChangeResult>, change: Change): ChangeResult {
  return results.get(change.address) ?? { address: change.address, status: 'not-attempted' };
}

/** Every change of the plan with its result, and how many ended in each status. */
export function outcomes(plan: Plan, report: ApplyReport | undefined) {
  const results = resultsByAddress(report) ?? new Map<string, ChangeResult>();
  const list = plan.changes.map((change) => ({ change, result: resultOf(results, change) }));
  const count = (status: ChangeResult['status']) => list.filter((o) => o.result.status === status).length;
  return { list, applied: count('applied'), failed: count('failed'), notAttempted: count('not-attempted') };
}

export function finish(text: string): string {
  return `${text.trimEnd()}\n`;
}
