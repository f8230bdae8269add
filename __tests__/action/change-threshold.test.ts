/**
 * The change threshold in the Action (issue 15, item 8), run as the runner runs it: a pull request whose
 * plan updates more than 30 % of the groups a policy owns fails its plan and is never applied on merge,
 * unless the pull request carries the label charter:force (read from GitHub's event, recorded in the
 * signed plan meta at review) or the workflow sets `force: true`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apply } from '../../src/core/engine.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { mergePull, pullRequestEvent, pullTouchesWorkspace, pushEvent, runAction, TEST_PULL } from '../helpers/action.js';
import { sandboxOptions, startExampleSandbox } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const { repository: REPO, headSha: HEAD_SHA, mergeSha: MERGE_SHA } = TEST_PULL;
const TOKEN = 'ghs_testtoken000000000000000000000000';

let sandbox: Sandbox;
let github: FakeGitHub;
let workspace: string;

function fleet(count: number, mean = 0): string {
  const groups = Array.from({ length: count }, (_, i) => `    - id: fleet-${i}\n      aggregation: ${i < mean ? 'MEAN' : 'SUM'}\n      pattern: ALL\n`).join('');
  return `apiVersion: charter/v1\nkind: ProtectionGroups\nmetadata:\n  name: fleet\nspec:\n  groups:\n${groups}`;
}

async function setUp(labels: string[]) {
  sandbox = await startExampleSandbox();
  workspace = mkdtempSync(join(tmpdir(), 'charter-threshold-'));
  mkdirSync(join(workspace, 'policies'));
  writeFileSync(join(workspace, 'policies/fleet.yml'), fleet(12));
  // The policy's 12 groups exist: the pull request changes 4 of them (33 %).
  expect((await apply({ ...sandboxOptions(sandbox, workspace, ['policies']), allowDestructive: false })).ok).toBe(true);
  writeFileSync(join(workspace, 'policies/fleet.yml'), fleet(12, 4));
  github = await startFakeGitHub({ token: TOKEN, repos: [{ fullName: REPO, defaultBranch: 'master', pulls: [{ number: 2, headSha: HEAD_SHA, labels }] }] });
}
afterEach(async () => {
  await sandbox.close();
  await github.close();
});

const common = () => ({ workspace, githubUrl: github.url, awsEndpoint: sandbox.endpoint, repository: REPO, inputs: { 'github-token': TOKEN, policies: 'policies' } });
const plan = (labels: string[], extra: Record<string, string> = {}) =>
  (pullTouchesWorkspace(github, workspace),
  runAction({ ...common(), inputs: { ...common().inputs, ...extra }, eventName: 'pull_request', event: pullRequestEvent({ labels }), sha: HEAD_SHA, ref: 'refs/pull/2/merge' }));
const applyOnPush = () => runAction({ ...common(), eventName: 'push', event: pushEvent(), sha: MERGE_SHA, ref: 'refs/heads/master' });
const meanGroups = () => sandbox.state.shield.protectionGroups.filter((g) => g.id.startsWith('fleet-') && g.aggregation === 'MEAN').length;

describe('the Action: change threshold', () => {
  it('without charter:force the plan fails with the numbers and the merge applies nothing', async () => {
    await setUp([]);
    const planned = await plan([]);
    expect(planned.code).toBe(1);
    expect(planned.stdout).toMatch(/::error title=Error%3A plan\/change-threshold-exceeded,file=policies\/fleet\.yml,line=4,col=9::/);
    const comment = github.state.commentsOn(REPO, 2)[0].body;
    expect(comment).toContain('ProtectionGroups/fleet updates 4 (33 %) and deletes 0 (0 %) of the 12 live things it owns; the threshold is 30 %');
    expect(comment).toContain('charter:force');
    mergePull(github);
    const merged = await applyOnPush();
    expect(merged.code).toBe(1);
    expect(merged.outputs['failure-reason']).toMatch(/Over the change threshold: ProtectionGroups\/fleet updates 4 \(33 %\)/);
    expect(meanGroups()).toBe(0);
  });

  it('with the label charter:force at review the plan passes, and the merge applies it', async () => {
    await setUp(['charter:force']);
    const planned = await plan(['charter:force']);
    expect(planned.code, planned.stdout).toBe(0);
    expect(planned.stdout).toContain('forced past the threshold by this run');
    mergePull(github);
    const merged = await applyOnPush();
    expect(merged.code, merged.stdout).toBe(0);
    expect(meanGroups()).toBe(4);
  });

  it('the workflow input force: true forces every plan; change-threshold raises the share', async () => {
    await setUp([]);
    expect((await plan([], { force: 'true' })).code).toBe(0);
    expect((await plan([], { 'change-threshold': '40' })).code).toBe(0);
    const bad = await plan([], { 'change-threshold': 'lots' });
    expect(bad.code).toBe(1);
    expect(bad.outputs['failure-reason']).toContain('Input change-threshold must be a percentage from 0 to 100, got "lots"');
  });
});
