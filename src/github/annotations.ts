/**
 * Check run annotations for a plan: every diagnostic and every risky change, on its YAML file, line and
 * column. Pure; posting them (at most 50 per request) is the caller's job, with `chunk`.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import { sortDiagnostics } from '../core/diagnostics.js';
import { truncate } from '../core/markdown.js';
import type { Change, Plan } from '../core/plan.js';

export type AnnotationLevel = 'failure' | 'warning' | 'notice';

export interface Annotation {
  path: string;
  startLine: number;
  startColumn: number;
  level: AnnotationLevel;
  title: string;
  message: string;
}

/** The REST shape of one annotation (`output.annotations[]` of a check run). */
export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: AnnotationLevel;
  title: string;
  message: string;
}

/** GitHub accepts at most 50 annotations per check run create/update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

/** GitHub's limits for an annotation's title and message (64 KB; check-run.ts also keeps it in UTF-8 bytes). */
export const ANNOTATION_TITLE_MAX = 255;
export const ANNOTATION_MESSAGE_MAX = 64 * 1024 - 1;

const levels: Record<Diagnostic['severity'], AnnotationLevel> = { error: 'failure', warning: 'warning', notice: 'notice' };

function position(n: number): number {
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

function fromDiagnostic(d: Diagnostic): Annotation {
  return {
    path: d.file,
    startLine: position(d.line),
    startColumn: position(d.column),
    level: levels[d.severity],
    title: truncate(
      `${d.severity === 'error' ? 'Error' : d.severity === 'warning' ? 'Warning' : 'Notice'}: ${d.code}`,
      ANNOTATION_TITLE_MAX,
    ),
    message: truncate(d.hint ? `${d.message}\nHint: ${d.hint}` : d.message, ANNOTATION_MESSAGE_MAX),
  };
}

function fromChange(c: Change): Annotation {
  return {
    path: c.file,
    startLine: position(c.line),
    startColumn: position(c.column),
    // Risky changes block apply until someone allows them: a warning, never a notice that is easy to miss.
    level: 'warning',
    title: truncate(`${c.risk === 'destructive' ? 'Destructive' : 'Disruptive'} change: ${c.action} ${c.title}`, ANNOTATION_TITLE_MAX),
    message: truncate(
      `${c.reason}\n${c.address}\nApply is blocked unless destructive changes are allowed (label charter:allow-destructive or input allow-destructive).`,
      ANNOTATION_MESSAGE_MAX,
    ),
  };
}

/** One annotation per diagnostic (sorted by file and position), then one per destructive or disruptive change. */
export function toAnnotations(plan: Pick<Plan, 'diagnostics' | 'changes'>): Annotation[] {
  return [
    ...sortDiagnostics(plan.diagnostics).map(fromDiagnostic),
    ...plan.changes.filter((c) => c.risk !== 'safe').map(fromChange),
  ];
}

/** The check run API shape; a column is only allowed when the annotation starts and ends on one line. */
export function toCheckRunAnnotation(a: Annotation): CheckRunAnnotation {
  return {
    path: a.path,
    start_line: a.startLine,
    end_line: a.startLine,
    start_column: a.startColumn,
    end_column: a.startColumn,
    annotation_level: a.level,
    title: a.title,
    message: a.message,
  };
}

/** Splits `items` into runs of at most `size` (50 by default: the annotations one request may carry). */
export function chunk<T>(items: readonly T[], size: number = ANNOTATIONS_PER_REQUEST): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
