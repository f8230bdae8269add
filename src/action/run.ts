import { writeFile } from 'node:fs/promises';
import * as core from '@actions/core';
import { assumeRoleSettings, roleSessionName } from '../aws/assume-role.js';
import { AwsCredentialsError } from '../aws/credentials.js';
import { awsRuntime } from '../aws/settings.js';
import { reachFor } from '../core/reach.js';
import { validate } from '../core/engine.js';
import type { Plan } from '../core/plan.js';
import { progressLines } from '../core/progress.js';
import type { ApplyEvent, Logger } from '../core/provider.js';
import { renderApplyReport, renderDiagnostics, renderJobSummary, renderPlan, type CommentInput } from '../core/render/index.js';
import { toAnnotations } from '../github/annotations.js';
import { parseBranchEvent, reconcileBranch } from '../github/branch-event.js';
import { githubBranchSource } from '../github/branches.js';
import type { GitHub } from '../github/client.js';
import { applyOnMerge, checkDrift, planPullRequest, type EngineOptions } from '../github/flows.js';
import { fetchPolicyFiles } from '../github/policy-source.js';
import { parseRepository, repositoryName, type RepoRef } from '../github/repo.js';
import { providers } from '../providers/index.js';
import { uploadPlanArtifact } from './artifact.js';
import { actionGitHub } from './github.js';
import { readInputs, resolveMode, type ActionInputs } from './inputs.js';
import { maskSecret, notifyApply, notifyDrift } from './notify.js';

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

/** The run's GitHub client, made once the inputs are read (none without github-token). */
let client: GitHub | undefined;

/** What to do when the default chain finds no credentials, in a workflow. */
export const ACTION_CREDENTIALS_HELP =
  'Add a step before Charter: uses: aws-actions/configure-aws-credentials@v4 with role-to-assume (an IAM role that trusts GitHub\'s OIDC provider) and aws-region, and give the job permissions: id-token: write (see the README, "GitHub workflows").';

/**
 * One apply progress line in the job log: starts and "still waiting" lines as they happen; each ended
 * change as a collapsed log group titled with its outcome, holding where it comes from and what happened.
 * (Groups cannot nest or interleave, so a change that runs while others start gets its group when it ends.)
 */
function logProgress(line: string, event: ApplyEvent): void {
  if (event.type !== 'end') return core.info(line);
  core.startGroup(line);
  core.info(`${event.change.address} (${event.change.file}:${event.change.line}:${event.change.column}): ${event.change.reason}`);
  if (event.result.detail) core.info(event.result.detail);
  core.endGroup();
}

function engineOptions(inputs: ActionInputs, cwd = inputs.cwd): EngineOptions {
  const base = awsRuntime(inputs.awsEndpoint ? { endpoint: inputs.awsEndpoint } : { credentialsHelp: ACTION_CREDENTIALS_HELP }, log);
  const gh = client;
  return {
    cwd,
    paths: inputs.policies,
    allowNoPolicies: inputs.allowNoPolicies,
    safety: { thresholdPercent: inputs.changeThresholdPercent, force: inputs.force },
    providers,
    // Apply progress goes to the job log as it happens; the concurrency is the workflow's to set.
    execution: { concurrency: inputs.concurrency, onEvent: progressLines(logProgress) },
    runtime: {
      ...base,
      // Policies reach only what the workflow's `allow` input lists; a fork's pull request, by default, nothing live.
      reach: reachFor(inputs.reach, { fork: inputs.fork, aws: true }),
      accountAws: (_account, roleArn) => assumeRoleSettings(base.aws, roleArn, roleSessionName(inputs.repository)),
      secretHashKey: inputs.secretHashKey,
      // Allowlisted secrets policies read (connection URLs, client secrets) are masked in the workflow log.
      maskSecret,
      // BranchPipelines lists the branches of this repository only (a policy may name any repository).
      ...(gh && inputs.repository ? { branches: githubBranchSource(gh, { allowed: [inputs.repository] }) } : {}),
    },
  };
}

async function runValidate(inputs: ActionInputs): Promise<void> {
  const result = await validate({ cwd: inputs.cwd, paths: inputs.policies, allowNoPolicies: inputs.allowNoPolicies, providers });
  core.info(renderDiagnostics(result.diagnostics, 'text'));
  annotate({ diagnostics: result.diagnostics, changes: [] });
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors) fail(`${errors} policy error(s)`);
}

/** The shared flows' environment for this run: the checkout, AWS, the token's comment author. */
function flowEnv<G extends GitHub | undefined>(inputs: ActionInputs, repo: RepoRef, gh: G) {
  return {
    gh,
    repo,
    engine: engineOptions(inputs),
    comment: inputs.comment,
    trust: { authors: [inputs.commentAuthor], ...(inputs.planSigningKey ? { signingKey: inputs.planSigningKey } : {}) },
    allowDestructive: inputs.allowDestructive,
    force: inputs.force,
    runUrl: inputs.runUrl,
    log,
  };
}

/** The Action's own part of a run once the plan exists: plan.json, outputs and workflow annotations. */
async function reportPlan(p: Plan, inputs: ActionInputs): Promise<void> {
  await savePlan(p, inputs.planFile);
  setPlanOutputs(p, inputs.planFile);
  annotate(p);
}

/** Uploads the plan as the run's artifact (once per run: artifact names are unique) and keeps its URL. */
function artifactPublisher(inputs: ActionInputs) {
  const published: { url?: string } = {};
  const publish = async (p: Plan) => {
    published.url = await uploadPlanArtifact(p, { name: inputs.planArtifact, available: inputs.artifactService, runUrl: inputs.runUrl, tempDir: inputs.tempDir });
    return published.url;
  };
  return { publish, published };
}

async function runPlan(inputs: ActionInputs, repo: RepoRef): Promise<void> {
  const pr = inputs.event.pull_request;
  if (inputs.comment && !inputs.githubToken && pr) {
    // Said before planning, so a workflow that forgot the token learns why no comment appears.
    core.warning('Input comment is true but github-token is empty: the plan cannot be commented on the pull request, and a merge cannot find a reviewed plan to apply. Pass github-token (the default ${{ github.token }} with permissions pull-requests: write), or set comment: false. The plan is in the job summary and plan-file.');
  }
  const outcome = await planPullRequest(
    {
      ...flowEnv(inputs, repo, client),
      // A pull request plans what it changes unless the workflow says all (issue 15, item 9).
      scope: inputs.scope ?? (pr ? 'changed' : 'all'),
      hooks: {
        planned: async (p) => {
          await savePlan(p, inputs.planFile);
          core.info(renderPlan(p, 'text'));
          annotate(p);
          setPlanOutputs(p, inputs.planFile);
        },
        rendered: writeSummary,
        published: artifactPublisher(inputs).publish,
      },
    },
    { number: pr?.number, headSha: pr?.head?.sha ?? inputs.sha, labels: pr?.labels?.map((l) => l.name) ?? [] },
    { readOnlyTokenIsWarning: true },
  );
  if (!outcome.ok) fail(outcome.reason ?? 'plan failed');
}

/**
 * Applies on merge, and only the plan that was reviewed: the merged PR is found from the merge commit,
 * the plan is recomputed with the PR's salt and must match the fingerprint in the reviewed comment.
 */
async function runApply(inputs: ActionInputs, repo: RepoRef): Promise<void> {
  if (inputs.eventName === 'pull_request' || inputs.eventName === 'pull_request_target') {
    return fail('Charter never applies from a pull_request event: apply runs on push to the default branch after the merge.');
  }
  const gh = client;
  if (!gh) return fail('apply needs github-token to find the reviewed plan on the merged pull request.');
  const artifact = artifactPublisher(inputs);
  const outcome = await applyOnMerge({ ...flowEnv(inputs, repo, gh), hooks: { planned: (p) => reportPlan(p, inputs), rendered: writeSummary, published: artifact.publish } }, inputs.sha);
  await notifyApply(inputs, outcome, artifact.published.url, log);
  if (!outcome.ok) fail(outcome.reason ?? `apply ${outcome.status}`);
}

async function runDrift(inputs: ActionInputs, repo: RepoRef): Promise<void> {
  const artifact = artifactPublisher(inputs);
  const outcome = await checkDrift({
    gh: client,
    repo,
    engine: engineOptions(inputs),
    runUrl: inputs.runUrl,
    log,
    hooks: {
      planned: async (p) => {
        await reportPlan(p, inputs);
        core.setOutput('drift', String(p.summary.total > 0));
        core.info(renderPlan(p, 'text'));
        await writeSummary({ plan: p, state: 'planned', runUrl: inputs.runUrl });
      },
      published: artifact.publish,
    },
  });
  await notifyDrift(inputs, outcome, artifact.published.url, log);
  if (!outcome.ok) return fail(outcome.reason ?? 'drift check failed');
  if (outcome.drift && inputs.failOnDrift) fail(`Drift: ${outcome.plan.summary.total} difference(s) between the policies and live AWS`);
}

/**
 * A branch was created or deleted: BranchPipelines creates or deletes its pipeline. The policies are read
 * from the default branch through the API, never from the checkout: on `create` the runner checks out the
 * new branch, whose files whoever pushed it wrote.
 */
async function runBranch(inputs: ActionInputs, repo: RepoRef): Promise<void> {
  const parsed = parseBranchEvent(inputs.eventName, inputs.event);
  if ('ignored' in parsed) {
    core.info(`Nothing to do: ${parsed.ignored}.`);
    return;
  }
  const gh = client;
  if (!gh) return fail('A branch event needs github-token to read the policies of the default branch and list the branches.');
  const defaultBranch = inputs.event.repository?.default_branch ?? (await gh.rest.repos.get({ owner: repo.owner, repo: repo.repo })).data.default_branch;
  const source = await fetchPolicyFiles(gh, repo, defaultBranch, inputs.policies);
  try {
    core.info(`Policies from ${defaultBranch} (${source.policyFiles} file(s)); branch ${JSON.stringify(parsed.event.branch)} ${parsed.event.action}`);
    const outcome = await reconcileBranch(
      {
        gh: gh,
        repo,
        engine: engineOptions(inputs, source.dir),
        allowDestructive: inputs.allowDestructive,
        log,
        hooks: {
          planned: async (full, selected) => {
            await reportPlan(selected, inputs);
            core.info(renderPlan(full, 'text', { title: `BranchPipelines plan of ${repositoryName(repo)}` }));
          },
        },
      },
      parsed.event,
    );
    if (outcome.report) core.info(renderApplyReport(outcome.report, 'text'));
    if (outcome.leftForDrift) core.info(`${outcome.leftForDrift} change(s) about other branches are left for the drift check.`);
    // The job summary shows what this event did: the applied changes, the refusal, or the plan.
    const summary: CommentInput = { plan: outcome.selected, state: 'planned', runUrl: inputs.runUrl };
    if (outcome.report) Object.assign(summary, { state: outcome.ok ? 'applied' : 'apply-failed', report: outcome.report });
    else if (outcome.status === 'blocked') Object.assign(summary, { state: 'blocked', refusal: { reason: outcome.reason ?? '' } });
    await writeSummary(summary);
    if (!outcome.ok) fail(outcome.reason ?? `branch ${outcome.status}`);
  } finally {
    await source.dispose();
  }
}

function fail(reason: string): void {
  core.setOutput('failure-reason', reason);
  core.setFailed(reason);
}

/**
 * pull_request_target runs the base repository's workflow with its secrets and a write token while the
 * workspace may hold the pull request's files: planning them there would let untrusted policies reach AWS
 * credentials. Only offline validation (mode: validate) is allowed on it.
 */
export const PULL_REQUEST_TARGET_REFUSAL =
  "Charter refuses to run on pull_request_target: that event has the base repository's secrets and a write token, so a pull request's policies planned there would reach your AWS credentials. Run Charter on pull_request (pull requests from forks get offline validation), or use mode: validate here.";

export async function run(): Promise<void> {
  try {
    const inputs = readInputs();
    const mode = resolveMode(inputs);
    core.info(`Charter ${mode} (${inputs.eventName || 'no event'})`);
    if (inputs.eventName === 'pull_request_target' && mode !== 'validate') return fail(PULL_REQUEST_TARGET_REFUSAL);
    const repo = parseRepository(inputs.repository);
    if (inputs.githubToken) client = await actionGitHub(inputs.githubToken, inputs.apiUrl);
    if (mode === 'validate') await runValidate(inputs);
    else if (mode === 'plan') await runPlan(inputs, repo);
    else if (mode === 'apply') await runApply(inputs, repo);
    else if (mode === 'branch') await runBranch(inputs, repo);
    else await runDrift(inputs, repo);
  } catch (error) {
    fail(`Charter failed: ${(error as Error).message ?? String(error)}`);
    // Unexpected errors land here: the stack (mapped to src/ by the bundle's source maps) makes a bug report useful.
    if (error instanceof Error && error.stack && !(error instanceof AwsCredentialsError)) {
      core.startGroup('Stack trace (for a bug report)');
      core.info(error.stack);
      core.endGroup();
    }
  }
}
