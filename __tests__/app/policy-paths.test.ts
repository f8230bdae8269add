/**
 * Policy paths in the app (issue 15, item 1): paths a repository names in `.github/charter.yml` that match
 * nothing are an error on the check run, naming the path; the app's own default paths matching nothing
 * (an org-wide installation covers many repositories without policies) are skipped quietly.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Probot } from 'probot';
import type { CharterApp } from '../../src/app/app.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startExampleSandbox } from '../helpers/aws.js';
import type { FakeGitHub, FakeRepo } from '../helpers/fake-github.js';
import { BASE_SHA, checkRuns, fixturePolicies, loadApp, pullRequestEvent, REPO, sha, startGitHub, testConfig } from './harness.js';

let sandbox: Sandbox;
let github: FakeGitHub;
let repo: FakeRepo;
let probot: Probot;
let charter: CharterApp;

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  github = await startGitHub();
  repo = github.state.repo(REPO);
  ({ probot, charter } = await loadApp(testConfig(sandbox), github));
});
afterEach(async () => {
  await charter.stop();
  await github.close();
  await sandbox.close();
});

async function planPull(number: number, files: Map<string, Buffer>): Promise<void> {
  github.state.commit(REPO, sha(number), new Map([...repo.files.get(BASE_SHA)!, ...files]));
  github.state.addPull(REPO, { number, headSha: sha(number), labels: [] });
  await probot.receive({ id: `plan-${number}`, name: 'pull_request', payload: pullRequestEvent('opened', { number, headSha: sha(number), labels: [] }) } as never);
  await charter.drained();
}

describe('the app: policy paths', () => {
  it('a path .github/charter.yml names that matches nothing fails the plan check run, naming the path; nothing is read', async () => {
    github.state.commit(REPO, sha(90), new Map([...repo.files.get(BASE_SHA)!, ['.github/charter.yml', Buffer.from('policies: [polcies/]\n')]]), 'master');
    await planPull(5, fixturePolicies());
    const [run] = checkRuns(github, 'Charter plan');
    expect(run.conclusion).toBe('failure');
    expect(JSON.stringify(run.output)).toContain('polcies/ matches no policy file');
    expect(github.state.commentsOn(REPO, 5)[0].body).toContain('policy/path-matches-nothing');
    expect(sandbox.stats.count()).toBe(0);
  });

  it('a repository without .github/charter.yml and without policy files is skipped quietly', async () => {
    await planPull(6, new Map([['src/index.js', Buffer.from('console.log(1)\n')]]));
    expect(checkRuns(github, 'Charter plan')).toEqual([]);
    expect(github.state.commentsOn(REPO, 6)).toEqual([]);
    expect(sandbox.stats.count()).toBe(0);
  });
});
