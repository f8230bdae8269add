import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply } from '../../src/core/engine.js';
import type { Plan } from '../../src/core/plan.js';
import type { CommentInput } from '../../src/core/render/index.js';
import { createGitHub } from '../../src/github/client.js';
import { applyOnMerge, applyReviewedPlan, checkDrift, planPullRequest, type FlowEnv } from '../../src/github/flows.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { copyExamples, quietLog, sandboxOptions, startExampleSandbox } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const REPO = 'acme/mail';
const HEAD = 'a'.repeat(40);
const MERGE = 'c'.repeat(40);

let sandbox: Sandbox;
let github: FakeGitHub;
let workspace: string;
let calls: string[];

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  workspace = copyExamples();
  // 'e'×40: a commit pushed to the default branch without a pull request.
  github = await startFakeGitHub({ repos: [{ fullName: REPO, pulls: [{ number: 7, headSha: HEAD, labels: ['charter:allow-destructive'] }], commits: ['e'.repeat(40)] }] });
  calls = [];
});
afterEach(async () => {
  await sandbox.close();
  await github.close();
});

function env(overrides: Partial<FlowEnv> = {}): FlowEnv {
  const { salt: _salt, ...engine } = sandboxOptions(sandbox, workspace, ['policies/examples/enforce-with-bimi.yml', 'policies/examples/testing-mode.yml']);
  return {
    gh: createGitHub({ token: 't', baseUrl: github.url }),
    repo: { owner: 'acme', repo: 'mail' },
    engine,
    comment: true,
    trust: { authors: ['github-actions[bot]'] },
    allowDestructive: false,
    log: quietLog,
    hooks: {
      planned: (p: Plan) => void calls.push(`planned ${p.fingerprint.slice(0, 8)}`),
      rendered: (input: CommentInput) => void calls.push(`rendered ${input.state}`),
    },
    ...overrides,
  };
}

function merge(): void {
  const pull = github.state.repo(REPO).pulls[0];
  Object.assign(pull, { state: 'closed', mergeCommitSha: MERGE, mergedAt: '2024-01-02T00:00:00Z' });
  github.state.associate(REPO, MERGE, 7);
}

const writes = () => sandbox.stats.calls().filter((c) => /^(Change|Put|Create|Request)/.test(c.operation));

describe('the shared GitHub flows', () => {
  it('plan → merge → apply, salted with the repository and pull request, hooks in order, then applied once', async () => {
    const planned = await planPullRequest(env(), { number: 7, headSha: HEAD, labels: ['charter:allow-destructive'] });
    expect(planned.ok).toBe(true);
    expect(planned.plan.salt).toEqual({ repository: REPO, pullRequest: 7 });
    expect(planned.comment).toMatchObject({ created: true });
    expect(calls).toEqual([`planned ${planned.plan.fingerprint.slice(0, 8)}`, 'rendered planned']);
    expect(writes()).toEqual([]);

    merge();
    calls = [];
    const applied = await applyOnMerge(env(), MERGE);
    expect(applied).toMatchObject({ status: 'applied', ok: true, pullRequest: 7 });
    expect(applied.plan!.fingerprint).toBe(planned.plan.fingerprint);
    expect(calls).toEqual([`planned ${planned.plan.fingerprint.slice(0, 8)}`, 'rendered applied']);
    expect(github.state.commentsOn(REPO, 7)).toHaveLength(1);

    const again = await applyOnMerge(env(), MERGE);
    expect(again).toMatchObject({ status: 'already-applied', ok: false });
    expect(again.reason).toMatch(/already applied/);
  });

  it('blocks risky changes without the label, refuses without a reviewed plan, and checks the reviewed commit', async () => {
    await planPullRequest(env(), { number: 7, headSha: HEAD, labels: [] });
    const blocked = await applyReviewedPlan(env(), { number: 7, headSha: HEAD }, HEAD);
    expect(blocked.status).toBe('blocked');
    expect(blocked.input?.state).toBe('blocked');
    const otherHead = await applyReviewedPlan(env({ allowDestructive: true }), { number: 7 }, 'd'.repeat(40), { reviewedAt: 'd'.repeat(40) });
    expect(otherHead).toMatchObject({ status: 'not-reviewed', ok: false });
    expect(otherHead.reason).toMatch(/run \/charter plan/);
    expect(writes()).toEqual([]);
  });

  it('an empty plan needs no review only when asked (the app), never for the Action', async () => {
    // Converge first, then a merge without any Charter comment changes nothing in AWS.
    merge();
    const converge = await apply({ ...sandboxOptions(sandbox, workspace, env().engine.paths as string[]), allowDestructive: true });
    expect(converge.ok).toBe(true);
    const action = await applyOnMerge(env(), MERGE);
    expect(action).toMatchObject({ status: 'not-reviewed', ok: false });
    const app = await applyOnMerge(env(), MERGE, { emptyPlanNeedsNoReview: true });
    expect(app).toMatchObject({ status: 'no-changes', ok: true });
    const noPull = await applyOnMerge(env(), 'e'.repeat(40), { emptyPlanNeedsNoReview: true });
    expect(noPull).toMatchObject({ status: 'no-changes', ok: true });
  });

  it('drift: reports the plan and keeps the issue, without a client too', async () => {
    const withIssue = await checkDrift(env());
    expect(withIssue).toMatchObject({ ok: true, drift: true, issue: { action: 'created' } });
    const withoutClient = await checkDrift({ ...env(), gh: undefined });
    expect(withoutClient.drift).toBe(true);
    expect(withoutClient.issue).toBeUndefined();
  });

  it('drift: a run that read no policies never closes the open drift issue', async () => {
    expect((await checkDrift(env())).issue).toMatchObject({ action: 'created' });
    const empty = mkdtempSync(join(tmpdir(), 'charter-no-policies-'));
    const base = env();
    const outcome = await checkDrift({ ...base, engine: { ...base.engine, cwd: empty, paths: [], allowNoPolicies: true } });
    expect(outcome).toMatchObject({ ok: true, drift: false, reason: 'no policies were read; the drift issue is left as it is' });
    expect(outcome.issue).toBeUndefined();
    expect(github.state.repo(REPO).issues.map((i) => i.state)).toEqual(['open']);
    // A mistyped path is an error: nothing is written either.
    const typo = await checkDrift({ ...base, engine: { ...base.engine, paths: ['polcies/'] } });
    expect(typo).toMatchObject({ ok: false, reason: '1 policy error(s)' });
    expect(github.state.repo(REPO).issues.map((i) => i.state)).toEqual(['open']);
  });
});
