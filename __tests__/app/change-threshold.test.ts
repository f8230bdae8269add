/**
 * The change threshold in the app (issue 15, item 8), through signed-webhook handling in the harness: a
 * pull request updating more than 30 % of what a policy owns fails its plan check run; labelling it
 * charter:force re-plans it forced (the label read from GitHub's event, recorded in the signed meta), and
 * the merge applies it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Probot } from 'probot';
import type { CharterApp } from '../../src/app/app.js';
import { apply } from '../../src/core/engine.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { sandboxOptions, startExampleSandbox } from '../helpers/aws.js';
import type { GitHubMock, MockRepo } from './github-mock.js';
import { BASE_SHA, loadApp, mockGitHub, pullRequestEvent, pushEvent, REPO, restoreNetwork, sha, testConfig } from './harness.js';

let sandbox: Sandbox;
let github: GitHubMock;
let repo: MockRepo;
let probot: Probot;
let charter: CharterApp;

function fleet(count: number, mean = 0): string {
  const groups = Array.from({ length: count }, (_, i) => `    - id: fleet-${i}\n      aggregation: ${i < mean ? 'MEAN' : 'SUM'}\n      pattern: ALL\n`).join('');
  return `apiVersion: charter/v1\nkind: ProtectionGroups\nmetadata:\n  name: fleet\nspec:\n  groups:\n${groups}`;
}

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  // The policy's 12 groups exist (applied with the sandbox's own credentials).
  const dir = mkdtempSync(join(tmpdir(), 'charter-threshold-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies/fleet.yml'), fleet(12));
  expect((await apply({ ...sandboxOptions(sandbox, dir, ['policies']), allowDestructive: false })).ok).toBe(true);
  github = mockGitHub();
  repo = github.repo(REPO);
  ({ probot, charter } = await loadApp(testConfig(sandbox)));
});
afterEach(async () => {
  await charter.stop();
  restoreNetwork();
  await sandbox.close();
});

async function receive(id: string, name: string, payload: unknown): Promise<void> {
  await probot.receive({ id, name, payload } as never);
  await charter.drained();
}

const meanGroups = () => sandbox.state.shield.protectionGroups.filter((g) => g.id.startsWith('fleet-') && g.aggregation === 'MEAN').length;

describe('the app: change threshold', () => {
  it('fails the plan over the threshold; the label charter:force re-plans it forced, and the merge applies it', async () => {
    github.commit(REPO, sha(8), new Map([...repo.commits.get(BASE_SHA)!, ['policies/fleet.yml', Buffer.from(fleet(12, 4))]]));
    repo.pulls.push({ number: 8, state: 'open', headSha: sha(8), labels: [], mergeCommitSha: null, mergedAt: null });
    await receive('plan-8', 'pull_request', pullRequestEvent('opened', { number: 8, headSha: sha(8) }));
    const [refused] = github.checkRuns(REPO, 'Charter plan');
    expect(refused.conclusion).toBe('failure');
    expect(github.comments(REPO, 8)[0].body).toContain('ProtectionGroups/fleet updates 4 (33 %) and deletes 0 (0 %) of the 12 live things it owns; the threshold is 30 %');

    repo.pulls[0].labels = ['charter:force'];
    await receive('label-8', 'pull_request', pullRequestEvent('labeled', { number: 8, headSha: sha(8), labels: ['charter:force'] }));
    const forced = github.checkRuns(REPO, 'Charter plan').at(-1)!;
    expect(forced.conclusion).not.toBe('failure');
    expect(github.comments(REPO, 8)[0].body).toContain('forced past the threshold by this run');

    github.commit(REPO, sha(80), repo.commits.get(sha(8))!, 'master');
    Object.assign(repo.pulls[0], { state: 'closed', mergeCommitSha: sha(80), mergedAt: new Date().toISOString() });
    repo.commitPulls.set(sha(80), [8]);
    await receive('push-80', 'push', pushEvent(sha(80)));
    expect(github.checkRuns(REPO, 'Charter apply')[0].conclusion).toBe('success');
    expect(meanGroups()).toBe(4);
  });
});
