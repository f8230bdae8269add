/** Diagnostics after `validate` and `verify`, as text, Markdown or JSON. */
import { sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import { template } from '../templates.js';
import { diagnosticCounts, finish, type OutputFormat } from './common.js';
import { diagnosticItem, diagnosticsBlock, unlimited } from './markdown.js';
import { textDiagnostics } from './text.js';

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
