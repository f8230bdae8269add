/**
 * Charter's three GitHub flows, shared by the Action and the app: plan a pull request (sticky comment),
 * apply the reviewed plan of a merged pull request (the fingerprint rule), and the drift check (the drift
 * issue). Each is parameterised by a GitHub client, the repository, the engine options (where the policy
 * files are, how to reach AWS) and hooks for what only one adapter does (the Action's outputs, plan file,
 * workflow annotations and job summary; the app's check runs). A flow returns an outcome instead of
 * failing a run: the adapter decides what a failure means (a failed step, a failed check run).
 */
import { applyRefusal, execute, plan, type PlanOptions } from '../core/engine.js';
import type { ApplyReport, Plan, PlanSalt } from '../core/plan.js';
import type { Logger } from '../core/provider.js';
import { embedMeta, planMeta, type CommentState } from '../core/plan-meta.js';
import { FORCE_LABEL } from '../core/safety.js';
import type { PolicyScope } from '../core/scope.js';
import { ALLOW_DESTRUCTIVE_LABEL, renderComment, renderDriftIssue, type CommentInput } from '../core/render/index.js';
import { httpStatus, type GitHub } from './client.js';
import { syncDriftIssue, type DriftIssueResult } from './drift-issue.js';
import { applicableFingerprint, compareWithReviewed } from './plan-meta.js';
import { findMergedPullRequest, pullRequestFiles } from './pulls.js';
import { repositoryName, type RepoRef } from './repo.js';
import { checkUnedited, findCharterComment, writeCharterComment, type CharterComment, type CommentTrust } from './reviewed-comment.js';

/** Engine options without the salt, which each flow sets (repository and pull request). */
export type EngineOptions = Omit<PlanOptions, 'salt'>;

export interface FlowHooks {
  /** The plan is computed, before anything is written to GitHub. */
  planned?(plan: Plan): void | Promise<void>;
  /** What the sticky comment is about to show (the Action writes it to the job summary). */
  rendered?(input: CommentInput): void | Promise<void>;
  /**
   * After `planned`: publishes the whole plan where it can be downloaded (the Action's workflow artifact)
   * and returns its URL, which the comment and the drift issue link; undefined when it was not published.
   */
  published?(plan: Plan): Promise<string | undefined>;
}

export interface FlowEnv {
  gh: GitHub;
  repo: RepoRef;
  engine: EngineOptions;
  /** Write the sticky comment (the Action's `comment` input). */
  comment: boolean;
  /** Which comments are Charter's (authors, app id) and the key its plan metas are signed with. */
  trust: CommentTrust;
  /** Destructive and disruptive changes allowed for every pull request (besides the label). */
  allowDestructive: boolean;
  /** Every plan forced past the change threshold (the Action's `force` input), besides the label charter:force. */
  force?: boolean;
  /**
   * Which policies a pull request's plan covers (src/core/scope.ts): `changed`, those whose files it
   * touched; `all` (default), every one. A merge always re-plans with the scope recorded at review.
   */
  scope?: PolicyScope;
  /**
   * Called before each write to GitHub or AWS; throws when this run no longer holds the repository's lock
   * (the app's Redis lock expired and another replica took it).
   */
  fence?: () => Promise<void>;
  runUrl?: string;
  log: Logger;
  hooks?: FlowHooks;
}

export interface PullRequestRef {
  /** Undefined when a plan runs outside a pull request (the Action in plan mode on a push): no comment. */
  number?: number;
  headSha: string;
  labels: readonly string[];
}

function salt(repo: RepoRef, pullRequest?: number): PlanSalt {
  return pullRequest === undefined ? { repository: repositoryName(repo) } : { repository: repositoryName(repo), pullRequest };
}

function allowsDestructive(env: Pick<FlowEnv, 'allowDestructive'>, labels: readonly string[]): boolean {
  return env.allowDestructive || labels.includes(ALLOW_DESTRUCTIVE_LABEL);
}

/** The engine options with the run forced past the change threshold or not (the threshold itself kept). */
function withForce(engine: EngineOptions, force: boolean): EngineOptions {
  return engine.safety === false ? engine : { ...engine, safety: { ...engine.safety, force } };
}

/** The sticky comment's body for `input`, its meta bound to the comment and signed. */
function commentBody(env: Pick<FlowEnv, 'repo' | 'trust'>, number: number, input: CommentInput, state: CommentState, context: { head?: string; allowDestructive?: boolean; force?: boolean; scope?: PolicyScope }) {
  return (commentId: number | undefined) =>
    renderComment({
      ...input,
      meta: embedMeta(
        planMeta(input.plan, state, { repository: repositoryName(env.repo), pullRequest: number, commentId, head: context.head, sha: input.commitSha, allowDestructive: context.allowDestructive, force: context.force, scope: context.scope }),
        env.trust.signingKey,
      ),
    });
}

// ---------------------------------------------------------------------------------------------------------
// Plan

export interface PlanOutcome {
  /** False when the policies have errors. */
  ok: boolean;
  reason?: string;
  plan: Plan;
  input: CommentInput;
  /**
   * The sticky comment written; `forbidden` when the token may not comment (read-only, fork); `closed` when
   * the pull request was merged or closed (or moved to another head) meanwhile, so the plan was not written.
   */
  comment?: { id: number; url: string; created: boolean } | 'forbidden' | 'closed';
  /** The pull request's head when it moved on from the planned one (the plan was not written). */
  movedTo?: string;
}

export interface PlanFlowOptions {
  /** A 403 on the comment becomes a warning (the Action on fork pull requests) instead of an error. */
  readOnlyTokenIsWarning?: boolean;
}

/**
 * The files pull request `number` changes, for scope `changed`; undefined (plan every policy, said in the
 * log) without a client or when GitHub's list may be cut.
 */
async function changedFilesOf(env: Pick<FlowEnv, 'repo' | 'log'> & { gh?: GitHub }, number: number | undefined): Promise<string[] | undefined> {
  if (!env.gh || number === undefined) {
    env.log.warn('Scope changed needs the pull request and a token to list its files: every policy is planned.');
    return undefined;
  }
  const files = await pullRequestFiles(env.gh, env.repo, number);
  if (!files) env.log.warn(`Pull request #${number} changes too many files for GitHub to list them all: every policy is planned.`);
  return files;
}

/** Plans a pull request and writes the plan to its sticky comment. Never writes to AWS. */
export async function planPullRequest(
  env: Omit<FlowEnv, 'gh'> & { gh?: GitHub },
  pr: PullRequestRef,
  options: PlanFlowOptions = {},
): Promise<PlanOutcome> {
  // The label is read from GitHub's own record of the pull request (the event, the API), never from text.
  const force = Boolean(env.force) || pr.labels.includes(FORCE_LABEL);
  const changedFiles = env.scope === 'changed' ? await changedFilesOf(env, pr.number) : undefined;
  const { plan: p } = await plan({ ...withForce(env.engine, force), ...(changedFiles ? { changedFiles } : {}), salt: salt(env.repo, pr.number) });
  await env.hooks?.planned?.(p);
  const artifactUrl = await env.hooks?.published?.(p);
  const input: CommentInput = { plan: p, state: 'planned', runUrl: env.runUrl, artifactUrl, allowDestructive: allowsDestructive(env, pr.labels), commitSha: pr.headSha };
  await env.hooks?.rendered?.(input);
  const outcome: PlanOutcome = { ok: p.summary.errors === 0, plan: p, input };
  if (p.summary.errors) outcome.reason = `${p.summary.errors} policy error(s)`;
  if (!env.comment || !env.gh || pr.number === undefined) return outcome;
  const gh = env.gh;
  // A plan written after the merge was never reviewed before it, and a merged pull request's comment keeps
  // what the merge did (refused, blocked, applied): only an open pull request at this head gets the plan.
  const { data: current } = await gh.rest.pulls.get({ owner: env.repo.owner, repo: env.repo.repo, pull_number: pr.number });
  if (current.merged_at || current.state !== 'open' || current.head.sha !== pr.headSha) {
    const why = current.merged_at ? 'was merged' : current.state !== 'open' ? 'was closed' : `moved on to ${current.head.sha.slice(0, 12)}`;
    env.log.info(`Pull request #${pr.number} ${why} while ${pr.headSha.slice(0, 12)} was planned; its comment is left as it is.`);
    outcome.comment = 'closed';
    if (!current.merged_at && current.state === 'open') outcome.movedTo = current.head.sha;
    return outcome;
  }
  try {
    await env.fence?.();
    const { comment: existing } = await findCharterComment(gh, env.repo, pr.number, env.trust);
    const body = commentBody(env, pr.number, input, 'planned', { head: pr.headSha, allowDestructive: input.allowDestructive, force, scope: changedFiles ? 'changed' : 'all' });
    const { id, created, url } = await writeCharterComment(gh, env.repo, pr.number, existing, body);
    env.log.info(`${created ? 'Posted' : 'Updated'} the plan comment ${id} on #${pr.number}`);
    outcome.comment = { id, url, created };
  } catch (error) {
    // Pull requests from forks get a read-only token: the plan is still in the job summary and plan file.
    if (!options.readOnlyTokenIsWarning || httpStatus(error) !== 403) throw error;
    env.log.warn(`Cannot comment on #${pr.number} with this token (read-only, as on pull requests from forks); the plan is in the job summary.`);
    outcome.comment = 'forbidden';
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------------------
// Apply

export type ApplyStatus =
  | 'applied'
  | 'apply-failed'
  | 'refused'
  | 'blocked'
  | 'not-reviewed'
  | 'already-applied'
  | 'no-pull-request'
  | 'no-changes';

export interface ApplyOutcome {
  status: ApplyStatus;
  ok: boolean;
  /** Why nothing (or not everything) was applied. */
  reason?: string;
  pullRequest?: number;
  plan?: Plan;
  report?: ApplyReport;
  /** What the sticky comment shows after this run (when it was written). */
  input?: CommentInput;
}

export interface ApplyFlowOptions {
  /**
   * An empty plan (no changes, no errors) needs no reviewed plan: nothing is applied and the outcome is
   * `no-changes`, ok. The app sets it, so a merge that touches no policy is not a failure; the Action
   * keeps refusing anything without a reviewed plan.
   */
  emptyPlanNeedsNoReview?: boolean;
  /** The reviewed comment must show a plan computed at this commit (apply before merge: the current head). */
  reviewedAt?: string;
}

/**
 * Applies the reviewed plan of pull request `pr` (policies at commit `sha`): the plan is recomputed with the
 * pull request's salt and applied only if its fingerprint matches the one in Charter's own comment. The
 * comment is then marked applied, so a reviewed plan is applied once.
 */
export async function applyReviewedPlan(
  env: FlowEnv,
  pr: { number: number; headSha?: string; mergedAt?: string | null },
  sha: string,
  options: ApplyFlowOptions = {},
): Promise<ApplyOutcome> {
  // Only Charter's own comment counts: by Charter's identity, its meta bound to it and signed.
  const lookup = await findCharterComment(env.gh, env.repo, pr.number, env.trust);
  const sticky = lookup.comment;
  const meta = sticky?.meta;
  // Forced past the change threshold at review (recorded in the signed meta) or by the run's own setting.
  // The scope the plan was reviewed with (signed meta): the merge plans exactly the policies that were reviewed.
  const changedFiles = meta?.scope === 'changed' ? await pullRequestFiles(env.gh, env.repo, pr.number) : undefined;
  const engine: PlanOptions = { ...withForce(env.engine, Boolean(env.force) || meta?.force === true), ...(changedFiles ? { changedFiles } : {}), salt: salt(env.repo, pr.number) };
  const { plan: p, validation } = await plan(engine);
  await env.hooks?.planned?.(p);
  const artifactUrl = await env.hooks?.published?.(p);
  // Whether destructive changes may go ahead was decided at review (recorded in the signed meta) or by the
  // run's own trusted setting; a label added since does not count.
  const allowDestructive = env.allowDestructive || meta?.allowDestructive === true;
  const base = { plan: p, runUrl: env.runUrl, artifactUrl, allowDestructive, commitSha: sha };
  const done = (status: ApplyStatus, ok: boolean, reason?: string, extra: Partial<ApplyOutcome> = {}): ApplyOutcome => ({
    status,
    ok,
    ...(reason ? { reason } : {}),
    pullRequest: pr.number,
    plan: p,
    ...extra,
  });
  const comment = async (found: CharterComment, input: CommentInput, state: CommentState) => {
    await env.hooks?.rendered?.(input);
    if (env.comment) {
      await env.fence?.();
      await writeCharterComment(env.gh, env.repo, pr.number, found, commentBody(env, pr.number, input, state, { head: found.meta.head, allowDestructive: found.meta.allowDestructive, force: found.meta.force, scope: found.meta.scope }));
    }
    return input;
  };
  const refuse = async (found: CharterComment, reason: string, differences?: ReturnType<typeof compareWithReviewed>) => {
    const input = await comment(found, { ...base, state: 'refused', refusal: { reason, ...(differences ? { differences } : {}) } }, 'refused');
    return done('refused', false, reason, { input });
  };

  const reviewed = meta && applicableFingerprint(meta);
  if (!reviewed && options.emptyPlanNeedsNoReview && p.summary.total === 0 && p.summary.errors === 0) {
    return done('no-changes', true);
  }
  if (!sticky || !meta) {
    const ignored = lookup.rejected.length
      ? ` ${lookup.rejected.length === 1 ? 'One comment' : `${lookup.rejected.length} comments`} with Charter's marker ${lookup.rejected.length === 1 ? 'was' : 'were'} ignored: ${lookup.rejected[0].reason}.`
      : '';
    return done('not-reviewed', false, `Pull request #${pr.number} has no Charter plan comment: nothing reviewed, nothing applied.${ignored}`);
  }
  if (meta.state === 'applied') return done('already-applied', false, `The plan on #${pr.number} was already applied; a reviewed plan is applied once.`);
  // A refused comment shows the merge-time plan, which nobody reviewed: it can never be applied by a re-run.
  if (!reviewed) {
    return done('not-reviewed', false, `The plan comment on #${pr.number} holds no reviewed plan (state ${meta.state}); open a pull request to review the changes.`);
  }
  const history = await checkUnedited(env.gh, sticky, env.trust);
  if (!history.ok) {
    return refuse(sticky, `Charter's plan comment on #${pr.number} cannot be trusted: ${history.reason}. Nothing was applied; open a pull request to review the changes again.`);
  }
  // Only a plan shown before the merge was reviewed before it (results Charter writes at merge time keep
  // the reviewed fingerprint and are exempt).
  if (meta.state === 'planned' && pr.mergedAt && Date.parse(history.writtenAt) > Date.parse(pr.mergedAt)) {
    return refuse(sticky, `The plan on #${pr.number} was written at ${history.writtenAt}, after the merge at ${pr.mergedAt}: nobody reviewed it before merging. Nothing was applied.`);
  }
  if (options.reviewedAt !== undefined && meta.sha !== options.reviewedAt) {
    return done(
      'not-reviewed',
      false,
      `The plan on #${pr.number} was reviewed at ${(meta.sha ?? 'an unknown commit').slice(0, 12)}, not at the current head ${options.reviewedAt.slice(0, 12)}; run /charter plan and review it first.`,
    );
  }
  if (pr.headSha && meta.head !== pr.headSha) {
    return refuse(sticky, `The plan on #${pr.number} was reviewed at ${(meta.head ?? 'an unknown commit').slice(0, 12)}, but the pull request's head is ${pr.headSha.slice(0, 12)}: the final commit was never planned and reviewed. Nothing was applied.`);
  }
  if (reviewed !== p.fingerprint) {
    const reason = `The plan changed since it was reviewed on #${pr.number} (reviewed ${reviewed.slice(0, 12)}, now ${p.fingerprint.slice(0, 12)}). Nothing was applied; open a pull request to review the new plan.`;
    return refuse(sticky, reason, compareWithReviewed(meta, p));
  }
  const refused = applyRefusal(p, { allowDestructive });
  if (refused) {
    const input = await comment(sticky, { ...base, state: 'blocked', refusal: { reason: refused } }, 'blocked');
    return done('blocked', false, refused, { input });
  }
  await env.fence?.();
  const report = await execute(p, validation.documents, engine);
  const state = report.ok ? 'applied' : 'apply-failed';
  const input = await comment(sticky, { ...base, state, report }, state);
  const failed = report.results.filter((r) => r.status === 'failed');
  env.log.info(`Applied ${report.results.filter((r) => r.status === 'applied').length} of ${p.changes.length} change(s)`);
  if (!report.ok) {
    const reason = `Apply failed: ${failed.map((r) => `${r.address}: ${r.error}`).join('; ') || 'changes were not attempted'}`;
    return done('apply-failed', false, reason, { report, input });
  }
  return done('applied', true, undefined, { report, input });
}

/** Applies on merge: finds the pull request commit `sha` (on the default branch) came from, then its reviewed plan. */
export async function applyOnMerge(env: FlowEnv, sha: string, options: ApplyFlowOptions = {}): Promise<ApplyOutcome> {
  const pr = await findMergedPullRequest(env.gh, env.repo, sha);
  if (!pr) {
    if (options.emptyPlanNeedsNoReview) {
      const { plan: p } = await plan({ ...env.engine, salt: salt(env.repo) });
      await env.hooks?.planned?.(p);
      if (p.summary.total === 0 && p.summary.errors === 0) return { status: 'no-changes', ok: true, plan: p };
      return {
        status: 'no-pull-request',
        ok: false,
        plan: p,
        reason: `No merged pull request found for commit ${sha}, and the policies differ from live AWS: only plans reviewed on a pull request are applied.`,
      };
    }
    return { status: 'no-pull-request', ok: false, reason: `No merged pull request found for commit ${sha}: only plans reviewed on a pull request are applied.` };
  }
  return applyReviewedPlan(env, pr, sha, options);
}

// ---------------------------------------------------------------------------------------------------------
// Drift

export interface DriftOutcome {
  /** False when the policies have errors (drift could not be checked). */
  ok: boolean;
  reason?: string;
  plan: Plan;
  drift: boolean;
  /** The drift issue, when a client was given and the policies are valid. */
  issue?: DriftIssueResult;
}

export const DRIFT_ISSUE_TITLE = 'Charter: live AWS differs from the policies';

/** Plans against live AWS and keeps the repository's one `charter:drift` issue in step. */
export async function checkDrift(env: Omit<FlowEnv, 'gh' | 'comment' | 'trust' | 'allowDestructive'> & { gh?: GitHub }): Promise<DriftOutcome> {
  // Drift reports and applies nothing: the change threshold (apply's safety valve) does not apply.
  const { plan: p } = await plan({ ...env.engine, safety: false, salt: {} });
  await env.hooks?.planned?.(p);
  const artifactUrl = await env.hooks?.published?.(p);
  const drift = p.summary.total > 0;
  const outcome: DriftOutcome = { ok: p.summary.errors === 0, plan: p, drift };
  if (p.summary.errors) {
    outcome.reason = `${p.summary.errors} policy error(s)`;
    return outcome;
  }
  // A run that read no policy knows nothing about drift: it must never close the issue as fixed.
  if (!p.policies.length) {
    outcome.reason = 'no policies were read; the drift issue is left as it is';
    env.log.info(`Drift: ${outcome.reason}`);
    return outcome;
  }
  if (env.gh) {
    outcome.issue = await syncDriftIssue(env.gh, env.repo, { drift, title: DRIFT_ISSUE_TITLE, body: renderDriftIssue(p, { runUrl: env.runUrl, artifactUrl }) });
    env.log.info(`Drift issue: ${outcome.issue.action}${outcome.issue.number ? ` #${outcome.issue.number}` : ''}`);
  }
  return outcome;
}
