/**
 * Check runs: created in progress, completed with a conclusion, a summary, the plan text and annotations on
 * the YAML lines. GitHub documents `output.summary` and `output.text` as 65,535 characters each but
 * enforces 65,535 bytes of UTF-8 ("summary exceeds a maximum bytesize of 65535"), so both are cut to that
 * many bytes; it accepts at most 50 annotations per request, so longer lists are sent with further updates
 * before the final one.
 */
import { truncate } from '../core/markdown.js';
import { ANNOTATION_MESSAGE_MAX, chunk, toCheckRunAnnotation, type Annotation } from './annotations.js';
import type { CheckRunConclusion, GitHub } from './client.js';
import type { RepoRef } from './repo.js';

/** GitHub's limit for `output.summary` and `output.text`, in UTF-8 bytes. */
export const CHECK_OUTPUT_LIMIT = 65_535;
/** GitHub's limit for `output.title` is not documented as tight; keep titles one short line. */
const TITLE_LIMIT = 255;
/** Annotations beyond this many are not sent (each 50 cost one request); the summary says how many were left out. */
export const MAX_ANNOTATIONS = 1_000;

/**
 * `text` cut to at most `maxBytes` bytes of UTF-8 (never inside a character), ending with a note of how many
 * characters were left out, like `truncate` does for characters.
 */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const marker = (n: number) => `… (${n} more characters)`;
  const budget = maxBytes - Buffer.byteLength(marker(text.length), 'utf8');
  let end = 0;
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return `${text.slice(0, end)}${marker(text.length - end)}`;
}

export interface CheckRunResult {
  conclusion: CheckRunConclusion;
  title: string;
  summary: string;
  text?: string;
  annotations?: readonly Annotation[];
  detailsUrl?: string;
}

export interface StartedCheckRun {
  id: number;
  url?: string;
}

/** Creates a check run in progress on `headSha`. */
export async function startCheckRun(gh: GitHub, repo: RepoRef, name: string, headSha: string): Promise<StartedCheckRun> {
  const { data } = await gh.rest.checks.create({
    owner: repo.owner,
    repo: repo.repo,
    name,
    head_sha: headSha,
    status: 'in_progress',
    started_at: new Date().toISOString(),
  });
  return { id: data.id, url: data.html_url ?? undefined };
}

/** The check run's output and its annotations in batches of 50, each cut to GitHub's limits. */
function outputOf(result: CheckRunResult) {
  const all = result.annotations ?? [];
  const sent = all.slice(0, MAX_ANNOTATIONS).map((a) => {
    const annotation = toCheckRunAnnotation(a);
    return { ...annotation, message: truncateBytes(annotation.message, ANNOTATION_MESSAGE_MAX) };
  });
  const note = all.length > sent.length ? `\n\n${all.length - sent.length} more annotation(s) not shown.` : '';
  const output = {
    title: truncate(result.title.replace(/\s+/g, ' ').trim(), TITLE_LIMIT),
    summary: `${truncateBytes(result.summary, CHECK_OUTPUT_LIMIT - Buffer.byteLength(note, 'utf8'))}${note}`,
    ...(result.text !== undefined ? { text: truncateBytes(result.text, CHECK_OUTPUT_LIMIT) } : {}),
  };
  return { output, batches: chunk(sent) };
}

/**
 * Completes a check run: every batch of 50 annotations but the last goes with an update that leaves the
 * run in progress (GitHub appends annotations across updates), the last batch with the conclusion.
 */
export async function completeCheckRun(gh: GitHub, repo: RepoRef, checkRunId: number, result: CheckRunResult): Promise<void> {
  const { output, batches } = outputOf(result);
  const target = { owner: repo.owner, repo: repo.repo, check_run_id: checkRunId };
  for (const batch of batches.slice(0, -1)) {
    await gh.rest.checks.update({ ...target, output: { title: output.title, summary: output.summary, annotations: batch } });
  }
  await gh.rest.checks.update({
    ...target,
    status: 'completed',
    conclusion: result.conclusion,
    completed_at: new Date().toISOString(),
    ...(result.detailsUrl ? { details_url: result.detailsUrl } : {}),
    output: { ...output, ...(batches.length ? { annotations: batches[batches.length - 1] } : {}) },
  });
}

/**
 * Creates a check run already completed, in one write when its annotations fit in one request (50);
 * otherwise created in progress and completed batch by batch.
 */
export async function createCompletedCheckRun(gh: GitHub, repo: RepoRef, name: string, headSha: string, result: CheckRunResult, startedAt: Date): Promise<StartedCheckRun> {
  const { output, batches } = outputOf(result);
  if (batches.length > 1) {
    const run = await startCheckRun(gh, repo, name, headSha);
    await completeCheckRun(gh, repo, run.id, result);
    return run;
  }
  const { data } = await gh.rest.checks.create({
    owner: repo.owner,
    repo: repo.repo,
    name,
    head_sha: headSha,
    status: 'completed',
    conclusion: result.conclusion,
    started_at: startedAt.toISOString(),
    completed_at: new Date().toISOString(),
    ...(result.detailsUrl ? { details_url: result.detailsUrl } : {}),
    output: { ...output, ...(batches.length ? { annotations: batches[0] } : {}) },
  });
  return { id: data.id, url: data.html_url ?? undefined };
}

/** Rewrites the title and summary of a check run still in progress (an apply's live progress). */
export async function updateCheckRunOutput(gh: GitHub, repo: RepoRef, checkRunId: number, output: { title: string; summary: string }): Promise<void> {
  await gh.rest.checks.update({
    owner: repo.owner,
    repo: repo.repo,
    check_run_id: checkRunId,
    output: { title: truncate(output.title.replace(/\s+/g, ' ').trim(), TITLE_LIMIT), summary: truncateBytes(output.summary, CHECK_OUTPUT_LIMIT) },
  });
}
