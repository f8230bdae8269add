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
import type { FakeGitHub, FakeRepo } from '../helpers/fake-github.js';
import { BASE_SHA, checkRuns, loadApp, pullRequestEvent, pushEvent, REPO, sha, startGitHub, testConfig } from './harness.js';

let sandbox: Sandbox;
let github: FakeGitHub;
let repo: FakeRepo;
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
  github = await startGitHub();
  repo = github.state.repo(REPO);
  ({ probot, charter } = await loadApp(testConfig(sandbox), github));
});
afterEach(async () => {
  await charter.stop();
  await github.close();
  await sandbox.close();
});

async function receive(id: string, name: string, payload: unknown): Promise<void> {
  await probot.receive({ id, name, payload } as never);
  await charter.drained();
}

const meanGroups = () => sandbox.state.shield.protectionGroups.filter((g) => g.id.startsWith('fleet-') && g.aggregation === 'MEAN').length;

describe('the app: change threshold', () => {
  it('fails the plan over the threshold; the label charter:force re-plans it forced, and the merge applies it', async () => {
    github.state.commit(REPO, sha(8), new Map([...repo.files.get(BASE_SHA)!, ['policies/fleet.yml', Buffer.from(fleet(12, 4))]]));
    github.state.addPull(REPO, { number: 8, headSha: sha(8), labels: [] });
    await receive('plan-8', 'pull_request', pullRequestEvent('opened', { number: 8, headSha: sha(8) }));
    const [refused] = checkRuns(github, 'Charter plan');
    expect(refused.conclusion).toBe('failure');
    expect(github.state.commentsOn(REPO, 8)[0].body).toContain('ProtectionGroups/fleet updates 4 (33 %) and deletes 0 (0 %) of the 12 live things it owns; the threshold is 30 %');

    repo.pulls[0].labels = [github.state.ensureLabel(repo, 'charter:force').name];
    await receive('label-8', 'pull_request', pullRequestEvent('labeled', { number: 8, headSha: sha(8), labels: ['charter:force'] }));
    const forced = checkRuns(github, 'Charter plan').at(-1)!;
    expect(forced.conclusion).not.toBe('failure');
    expect(github.state.commentsOn(REPO, 8)[0].body).toContain('forced past the threshold by this run');

    github.state.commit(REPO, sha(80), repo.files.get(sha(8))!, 'master');
    Object.assign(repo.pulls[0], { state: 'closed', mergeCommitSha: sha(80), mergedAt: github.state.tick() });
    github.state.associate(REPO, sha(80), 8);
    await receive('push-80', 'push', pushEvent(sha(80)));
    expect(checkRuns(github, 'Charter apply')[0].conclusion).toBe('success');
    expect(meanGroups()).toBe(4);
  });
});
