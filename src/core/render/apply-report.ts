/** What an apply did, change by change, as text, Markdown or JSON. */
import { escapeMarkdown, inlineCode } from '../markdown.js';
import type { ApplyReport } from '../plan.js';
import { template } from '../templates.js';
import { finish, outcomes, plural, resultMarks, resultWords, symbols, type OutputFormat } from './common.js';
import { indentContinuation, oneLine } from './text.js';

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
