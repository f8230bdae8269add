/**
 * The workflows users copy (README.md) and the repository's own (.github/workflows): valid for GitHub's
 * workflow parser and action-validator, and their Charter steps run as the runner runs them (action.yml's
 * inputs and defaults, `INPUT_*`, `runs.main`) against the sandbox and the loopback GitHub.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { mergePull, pullRequestEvent, pullTouchesWorkspace, pushEvent, runAction, TEST_PULL } from '../helpers/action.js';
import { copyExamples, repoRoot, startExampleSandbox } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { evaluateTemplate, workflowFileErrors, workflowsInMarkdown, type ExpressionContext } from '../helpers/runner.js';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, { branches?: string[] } | Array<unknown> | null>;
  jobs: Record<string, { steps: Step[] }>;
}

const readme = workflowsInMarkdown(join(repoRoot, 'README.md'));
const ownDir = join(repoRoot, '.github/workflows');
const own = readdirSync(ownDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => ({ file: f, content: readFileSync(join(ownDir, f), 'utf8') }));

/** The steps that run Charter: the published action (`<owner>/charter@ref`) or this checkout (`./`). */
function charterSteps(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs)
    .flatMap((job) => job.steps)
    .filter((s) => s.uses === './' || /^[\w.-]+\/charter@/.test(s.uses ?? ''));
}

/** The step's `env:` with its expressions evaluated, as the runner passes it. */
const stepEnv = (step: Step, context: ExpressionContext) => Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluateTemplate(String(v), context)]));

const asStrings = (w: Step['with'] = {}) => Object.fromEntries(Object.entries(w).map(([k, v]) => [k, String(v)]));

describe('workflow files are valid', () => {
  it('the README has workflow examples, and the repository has its own workflow', () => {
    expect(readme.length).toBeGreaterThan(0);
    expect(own.map((w) => w.file)).toContain('ci.yml');
  });

  it.each(readme.map((w) => [w.line, w.content]))('README.md workflow at line %i', (_line, content) => {
    expect(workflowFileErrors(content)).toEqual([]);
  });

  it.each(own.map((w) => [w.file, w.content]))('.github/workflows/%s', (_file, content) => {
    expect(workflowFileErrors(content)).toEqual([]);
  });

  it('the validators reject a broken workflow', () => {
    expect(workflowFileErrors('on: push\njobs:\n  x:\n    steps:\n      - uses: ./\n').length).toBeGreaterThan(0);
    expect(workflowFileErrors('on: [pull_requests]\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n').length).toBeGreaterThan(0);
  });
});

const { repository: REPO, headSha: HEAD_SHA, mergeSha: MERGE_SHA } = TEST_PULL;
const TOKEN = 'ghs_readmetoken00000000000000000000000';
/** The repository secrets the README's workflow names. */
const SECRETS = { CHARTER_PLAN_SIGNING_KEY: 'plan-signing-key-of-the-readme-workflow-0123456789', AAD_CLIENT_SECRET: 'example-client-secret' };

let sandbox: Sandbox;
let github: FakeGitHub;
let workspace: string;

describe('workflow steps run as the runner runs them', () => {
  beforeEach(async () => {
    sandbox = await startExampleSandbox();
    workspace = copyExamples();
  });
  afterEach(async () => {
    await sandbox.close();
    await github?.close();
  });

  it.each(readme.map((w) => [w.line, w.workflow as unknown as Workflow]))(
    'README.md workflow at line %i: plan on the pull request, apply on merge, no drift on schedule',
    async (_line, workflow) => {
      const [step] = charterSteps(workflow);
      expect(step, 'a Charter step').toBeDefined();
      const branch = (workflow.on.push as { branches?: string[] } | undefined)?.branches?.[0] ?? 'main';
      expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['pull_request', 'push', 'schedule']));
      github = await startFakeGitHub({
        token: TOKEN,
        repos: [{ fullName: REPO, defaultBranch: branch, pulls: [{ number: 2, headSha: HEAD_SHA, labels: ['charter:allow-destructive'] }] }],
      });
      const context = { github: { token: TOKEN }, secrets: SECRETS };
      const common = { workspace, githubUrl: github.url, awsEndpoint: sandbox.endpoint, repository: REPO, inputs: asStrings(step.with), context, env: stepEnv(step, context) };

      const prEvent = pullRequestEvent({ defaultBranch: branch });
      pullTouchesWorkspace(github, workspace);
      const plan = await runAction({ ...common, eventName: 'pull_request', event: prEvent, sha: HEAD_SHA, ref: 'refs/pull/2/merge' });
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      expect(plan.outputs['has-changes']).toBe('true');
      // github-token was left to its default, `${{ github.token }}`: the comment was posted with it.
      expect(github.state.commentsOn(REPO, 2)).toHaveLength(1);

      mergePull(github);
      const push = pushEvent({ branch, defaultBranch: branch });
      const apply = await runAction({ ...common, eventName: 'push', event: push, sha: MERGE_SHA, ref: `refs/heads/${branch}` });
      expect(apply.code, apply.stdout + apply.stderr).toBe(0);
      expect(apply.stdout).toContain('Charter apply');

      const drift = await runAction({ ...common, eventName: 'schedule', event: pushEvent({ branch, defaultBranch: branch }), sha: MERGE_SHA, ref: `refs/heads/${branch}` });
      expect(drift.code, drift.stdout + drift.stderr).toBe(0);
      expect(drift.outputs.drift).toBe('false');
    },
  );

  it('.github/workflows/ci.yml: the Action from this checkout validates and plans the examples', async () => {
    const workflow = parseYaml(own.find((w) => w.file === 'ci.yml')!.content) as Workflow;
    const steps = charterSteps(workflow);
    expect(steps.map((s) => s.uses)).toEqual(['./', './']);
    github = await startFakeGitHub({ token: TOKEN, repos: [{ fullName: REPO, defaultBranch: 'main' }] });
    const push = pushEvent({ branch: 'feature' });
    const outputs: Array<Record<string, string>> = [];
    for (const step of steps) {
      // The step's `env:` reaches the process like the workflow's; CHARTER_AWS_ENDPOINT is what the
      // "Serve the simulated AWS account" step puts in GITHUB_ENV.
      const run = await runAction({
        workspace: repoRoot,
        githubUrl: github.url,
        awsEndpoint: sandbox.endpoint,
        repository: REPO,
        inputs: asStrings(step.with),
        context: { github: { token: TOKEN } },
        env: step.env,
        eventName: 'push',
        event: push,
        sha: MERGE_SHA,
        ref: 'refs/heads/feature',
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      outputs.push(run.outputs);
    }
    expect(outputs[1]['has-changes']).toBe('true');
  });
});
