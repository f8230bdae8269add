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
import { runAction, webhookExample } from '../helpers/action.js';
import { copyExamples, repoRoot, startExampleSandbox } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { workflowFileErrors, workflowsInMarkdown } from '../helpers/runner.js';

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

const REPO = 'Codertocat/Hello-World';
const TOKEN = 'ghs_readmetoken00000000000000000000000';
const HEAD_SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const MERGE_SHA = '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c';

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
      const withDefaultBranch = (event: Record<string, unknown>) => {
        (event.repository as Record<string, unknown>).default_branch = branch;
        return event;
      };
      const common = { workspace, githubUrl: github.url, awsEndpoint: sandbox.endpoint, repository: REPO, inputs: asStrings(step.with), context: { github: { token: TOKEN } } };

      const prEvent = withDefaultBranch(webhookExample('pull_request', (e) => e.action === 'opened'));
      const pr = prEvent.pull_request as Record<string, unknown>;
      pr.number = 2;
      (pr.head as Record<string, unknown>).sha = HEAD_SHA;
      pr.labels = [{ name: 'charter:allow-destructive' }];
      const plan = await runAction({ ...common, eventName: 'pull_request', event: prEvent, sha: HEAD_SHA, ref: 'refs/pull/2/merge' });
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      expect(plan.outputs['has-changes']).toBe('true');
      // github-token was left to its default, `${{ github.token }}`: the comment was posted with it.
      expect(github.state.commentsOn(REPO, 2)).toHaveLength(1);

      const pull = github.state.repo(REPO).pulls.find((p) => p.number === 2)!;
      pull.state = 'closed';
      pull.mergeCommitSha = MERGE_SHA;
      pull.mergedAt = '2024-01-02T00:00:00Z';
      github.state.associate(REPO, MERGE_SHA, 2);
      const pushEvent = withDefaultBranch(webhookExample('push', (e) => typeof e.ref === 'string'));
      pushEvent.ref = `refs/heads/${branch}`;
      pushEvent.after = MERGE_SHA;
      const apply = await runAction({ ...common, eventName: 'push', event: pushEvent, sha: MERGE_SHA, ref: `refs/heads/${branch}` });
      expect(apply.code, apply.stdout + apply.stderr).toBe(0);
      expect(apply.stdout).toContain('Charter apply');

      const drift = await runAction({ ...common, eventName: 'schedule', event: withDefaultBranch(webhookExample('push')), sha: MERGE_SHA, ref: `refs/heads/${branch}` });
      expect(drift.code, drift.stdout + drift.stderr).toBe(0);
      expect(drift.outputs.drift).toBe('false');
    },
  );

  it('.github/workflows/ci.yml: the Action from this checkout validates and plans the examples', async () => {
    const workflow = parseYaml(own.find((w) => w.file === 'ci.yml')!.content) as Workflow;
    const steps = charterSteps(workflow);
    expect(steps.map((s) => s.uses)).toEqual(['./', './']);
    github = await startFakeGitHub({ token: TOKEN, repos: [{ fullName: REPO, defaultBranch: 'main' }] });
    const pushEvent = webhookExample('push', (e) => typeof e.ref === 'string');
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
        event: pushEvent,
        sha: MERGE_SHA,
        ref: 'refs/heads/feature',
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      outputs.push(run.outputs);
    }
    expect(outputs[1]['has-changes']).toBe('true');
  });
});
