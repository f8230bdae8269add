/** The text plan and drift report (and their JSON and Markdown forms), and the text pieces other renderers share. */
import { sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import type { Change, Plan } from '../plan.js';
import { escapeInvisible, foldLineBreaks } from '../text.js';
import { registerPartials, template } from '../templates.js';
import { diagnosticCounts, finish, groupChanges, scopeLine, summaryLine, symbols, type OutputFormat } from './common.js';
import { valueDiff } from './diff.js';
import { driftSummary, renderDocument, unlimited } from './markdown.js';

registerPartials({ 'changes-text': 'changes.txt.hbs', 'diagnostics-text': 'diagnostics.txt.hbs' });

/** One visible line: line breaks folded (linearly), any other invisible character escaped. */
export function oneLine(text: string): string {
  return escapeInvisible(foldLineBreaks(text));
}

export function indentContinuation(text: string, indent: string): string {
  return text.replace(/\r?\n/g, `\n${indent}`);
}

export function textDiagnostics(diagnostics: Diagnostic[]) {
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
