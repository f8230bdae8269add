import { writeFile } from 'node:fs/promises';
import * as core from '@actions/core';
import { awsRuntime } from '../aws/settings.js';
import { applyRefusal, execute, plan, validate, type PlanOptions } from '../core/engine.js';
import type { ApplyReport, Plan } from '../core/plan.js';
import type { Logger } from '../core/provider.js';
import { ALLOW_DESTRUCTIVE_LABEL, renderComment, renderDiagnostics, renderDriftIssue, renderJobSummary, renderPlan, type CommentInput } from '../core/render.js';
import { toAnnotations } from '../github/annotations.js';
import { createGitHub, httpStatus, type GitHub } from '../github/client.js';
import { findStickyComment, upsertStickyComment } from '../github/comment.js';
import { syncDriftIssue } from '../github/drift-issue.js';
import { applicableFingerprint, compareWithReviewed, parseMeta } from '../github/plan-meta.js';
import { findMergedPullRequest } from '../github/pulls.js';
import { parseRepository, type RepoRef } from '../github/repo.js';
import { providers } from '../providers/index.js';
import { readInputs, resolveMode, type ActionInputs } from './inputs.js';

const log: Logger = { debug: core.debug, info: core.info, warn: core.warning };

/** Counts, flags and paths only: the plan itself never goes through outputs (argument lists have limits). */
function setPlanOutputs(p: Plan, planFile: string): void {
  core.setOutput('has-changes', String(p.summary.total > 0));
  core.setOutput('create', String(p.summary.create));
  core.setOutput('update', String(p.summary.update + p.summary.replace));
  core.setOutput('delete', String(p.summary.delete));
  core.setOutput('destructive', String(p.summary.destructive + p.summary.disruptive > 0));
  core.setOutput('fingerprint', p.fingerprint);
  core.setOutput('plan-file', planFile);
}

function annotate(p: Pick<Plan, 'diagnostics' | 'changes'>): void {
  for (const a of toAnnotations(p)) {
    const props = { title: a.title, file: a.path, startLine: a.startLine, startColumn: a.startColumn };
    if (a.level === 'failure') core.error(a.message, props);
    else if (a.level === 'warning') core.warning(a.message, props);
    else core.notice(a.message, props);
  }
}

async function writeSummary(input: CommentInput): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(renderJobSummary(input), true).write();
}

async function savePlan(p: Plan, file: string): Promise<void> {
  await writeFile(file, `${JSON.stringify(p, null, 2)}\n`);
}

function github(inputs: ActionInputs): GitHub | undefined {
  return inputs.githubToken ? createGitHub({ token: inputs.githubToken, baseUrl: inputs.apiUrl }) : undefined;
}

function planOptions(inputs: ActionInputs, salt: PlanOptions['salt']): PlanOptions {
  return {
    cwd: inputs.cwd,
    paths: inputs.policies,
    providers,
    salt,
    runtime: awsRuntime(inputs.awsEndpoint ? { endpoint: inputs.awsEndpoint } : {}, log),
  };
}

async function runValidate(inputs: ActionInputs): Promise<void> {
  const result = await validate({ cwd: inputs.cwd, paths: inputs.policies, providers });
  core.info(renderDiagnostics(result.diagnostics, 'text'));
  annotate({ diagnostics: result.diagnostics, changes: [] });
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors) fail(`${errors} policy error(s)`);
}

async function runPlan(inputs: ActionInputs, repo: RepoRef): Promise<void> {
  const pr = inputs.event.pull_request;
  const { plan: p } = await plan(planOptions(inputs, { repository: inputs.repository, pullRequest: pr?.number }));
  await savePlan(p, inputs.planFile);
  core.info(renderPlan(p, 'text'));
  annotate(p);
  setPlanOutputs(p, inputs.planFile);
  const allowDestructive = inputs.allowDestructive || Boolean(pr?.labels?.some((l) => l.name === ALLOW_DESTRUCTIVE_LABEL));
  const input: CommentInput = { plan: p, state: 'planned', runUrl: inputs.runUrl, allowDestructive, commitSha: pr?.head?.sha ?? inputs.sha };
  await writeSummary(input);
  const gh = github(inputs);
  if (pr && inputs.comment && gh) {
    try {
      const { id, created } = await upsertStickyComment(gh, repo, pr.number, renderComment(input), { authors: [inputs.commentAuthor] });
      core.info(`${created ? 'Posted' : 'Updated'} the plan comment ${id} on #${pr.number}`);
    } catch (error) {
      // Pull requests from forks get a read-only token: the plan is still in the job summary and plan file.
      if (httpStatus(error) !== 403) throw error;
      core.warning(`Cannot comment on #${pr.number} with this token (read-only, as on pull requests from forks); the plan is in the job summary.`);
    }
  }
  if (p.summary.errors) fail(`${p.summary.errors} policy error(s)`);
}

/**
 * Applies on merge, and only the plan that was reviewed: the merged PR is found from the merge commit,
 * the plan is recomputed with the PR's salt and must match the fingerprint in the reviewed comment.
 */
async function runApply(inputs: ActionInputs, repo: RepoRef): Promise<void> {
  if (inputs.eventName === 'pull_request' || inputs.eventName === 'pull_request_target') {
    return fail('Charter never applies from a pull_request event: apply runs on push to the default branch after the merge.');
  }
  const gh = github(inputs);
  if (!gh) return fail('apply needs github-token to find the reviewed plan on the merged pull request.');
  const pr = await findMergedPullRequest(gh, repo, inputs.sha);
  if (!pr) return fail(`No merged pull request found for commit ${inputs.sha}: only plans reviewed on a pull request are applied.`);
  // Only Charter's own comment counts: a marker pasted by someone else must not carry a fingerprint.
  const sticky = await findStickyComment(gh, repo, pr.number, { authors: [inputs.commentAuthor] });
  const meta = sticky ? parseMeta(sticky.body) : undefined;
  const options = planOptions(inputs, { repository: inputs.repository, pullRequest: pr.number });
  const { plan: p, validation } = await plan(options);
  await savePlan(p, inputs.planFile);
  setPlanOutputs(p, inputs.planFile);
  annotate(p);
  const allowDestructive = inputs.allowDestructive || pr.labels.includes(ALLOW_DESTRUCTIVE_LABEL);
  const comment = async (input: CommentInput) => {
    await writeSummary(input);
    if (inputs.comment) await upsertStickyComment(gh, repo, pr.number, renderComment(input), { authors: [inputs.commentAuthor] });
  };
  const base = { plan: p, runUrl: inputs.runUrl, allowDestructive, commitSha: inputs.sha };

  if (!meta) return fail(`Pull request #${pr.number} has no Charter plan comment: nothing reviewed, nothing applied.`);
  if (meta.state === 'applied') return fail(`The plan on #${pr.number} was already applied; a reviewed plan is applied once.`);
  // A refused comment shows the merge-time plan, which nobody reviewed: it can never be applied by a re-run.
  const reviewed = applicableFingerprint(meta);
  if (!reviewed) return fail(`The plan comment on #${pr.number} holds no reviewed plan (state ${meta.state}); open a pull request to review the changes.`);
  if (reviewed !== p.fingerprint) {
    const reason = `The plan changed since it was reviewed on #${pr.number} (reviewed ${reviewed.slice(0, 12)}, now ${p.fingerprint.slice(0, 12)}). Nothing was applied; open a pull request to review the new plan.`;
    await comment({ ...base, state: 'refused', refusal: { reason, differences: compareWithReviewed(meta, p) } });
    return fail(reason);
  }
  const refused = applyRefusal(p, { allowDestructive });
  if (refused) {
    await comment({ ...base, state: 'blocked', refusal: { reason: refused } });
    return fail(refused);
  }
  const report: ApplyReport = await execute(p, validation.documents, options);
  await comment({ ...base, state: report.ok ? 'applied' : 'apply-failed', report });
  const failed = report.results.filter((r) => r.status === 'failed');
  core.info(`Applied ${report.results.filter((r) => r.status === 'applied').length} of ${p.changes.length} change(s)`);
  if (!report.ok) fail(`Apply failed: ${failed.map((r) => `${r.address}: ${r.error}`).join('; ') || 'changes were not attempted'}`);
}

async function runDrift(inputs: ActionInputs, repo: RepoRef): Promise<void> {
  const { plan: p } = await plan(planOptions(inputs, {}));
  await savePlan(p, inputs.planFile);
  setPlanOutputs(p, inputs.planFile);
  annotate(p);
  const drift = p.summary.total > 0;
  core.setOutput('drift', String(drift));
  core.info(renderPlan(p, 'text'));
  await writeSummary({ plan: p, state: 'planned', runUrl: inputs.runUrl });
  const gh = github(inputs);
  if (gh && !p.summary.errors) {
    const result = await syncDriftIssue(gh, repo, { drift, title: 'Charter: live AWS differs from the policies', body: renderDriftIssue(p, { runUrl: inputs.runUrl }) });
    core.info(`Drift issue: ${result.action}${result.number ? ` #${result.number}` : ''}`);
  }
  if (p.summary.errors) return fail(`${p.summary.errors} policy error(s)`);
  if (drift && inputs.failOnDrift) fail(`Drift: ${p.summary.total} difference(s) between the policies and live AWS`);
}

function fail(reason: string): void {
  core.setOutput('failure-reason', reason);
  core.setFailed(reason);
}

export async function run(): Promise<void> {
  try {
    const inputs = readInputs();
    const mode = resolveMode(inputs);
    core.info(`Charter ${mode} (${inputs.eventName || 'no event'})`);
    const repo = parseRepository(inputs.repository);
    if (mode === 'validate') await runValidate(inputs);
    else if (mode === 'plan') await runPlan(inputs, repo);
    else if (mode === 'apply') await runApply(inputs, repo);
    else await runDrift(inputs, repo);
  } catch (error) {
    fail(`Charter failed: ${(error as Error).message ?? String(error)}`);
  }
}
