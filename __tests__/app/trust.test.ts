/**
 * The attacks on the reviewed-plan gate, through the app as GitHub drives it (Probot, signed-off events, the
 * GitHub API on the loopback fake, AWS on the sandbox): each one now fails safely, with the refusal shown.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Probot } from 'probot';
import type { CharterApp } from '../../src/app/app.js';
import { parseMeta } from '../../src/core/plan-meta.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startExampleSandbox } from '../helpers/aws.js';
import type { FakeGitHub, FakeRepo } from '../helpers/fake-github.js';
import { BASE_SHA, commentEvent, fixturePolicies, loadApp, checkRuns, startGitHub, pullRequestEvent, pushEvent, REPO, sha, testConfig } from './harness.js';

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

function openPull(number: number, headSha: string, labels: string[] = []): void {
  github.state.commit(REPO, headSha, new Map([...repo.files.get(BASE_SHA)!, ...fixturePolicies()]));
  github.state.addPull(REPO, { number, headSha, labels });
}
function merge(number: number, mergeSha: string): void {
  const pull = repo.pulls.find((p) => p.number === number)!;
  github.state.commit(REPO, mergeSha, repo.files.get(pull.headSha)!, 'master');
  Object.assign(pull, { state: 'closed', mergeCommitSha: mergeSha, mergedAt: github.state.tick() });
  github.state.associate(REPO, mergeSha, number);
}
/** Delivers an event and waits for its queued work (whose failure is thrown here). */
const receive = async (event: unknown) => {
  await probot.receive(event as never);
  await charter.drained();
};
const plan = (number: number, headSha: string, labels: string[] = [], action = 'opened') =>
  receive({ id: `plan-${number}-${Math.random()}`, name: 'pull_request', payload: pullRequestEvent(action, { number, headSha, labels }) });
const push = (after: string) => receive({ id: `push-${Math.random()}`, name: 'push', payload: pushEvent(after) });
const comment = (body: string, opts: Parameters<typeof commentEvent>[1]) =>
  receive({ id: `comment-${Math.random()}`, name: 'issue_comment', payload: commentEvent(body, opts) });
const awsWrites = () => sandbox.stats.calls().filter((c) => /^(Change|Put|Create|Request)/.test(c.operation));
const sticky = (number: number) => github.state.commentsOn(REPO, number).find((c) => c.body.startsWith('<!-- charter:comment -->'))!;
/** Someone changes the zone after review: the plan at merge differs, so the merge is refused. */
const editZone = () =>
  sandbox.state.route53.hostedZones.find((z) => z.name === 'example.net.')!.records.push({ name: '_smtp._tls.example.net.', type: 'TXT', ttl: 300, values: ['"v=TLSRPTv1; rua=mailto:other@example.org"'] });

describe('the reviewed-plan gate in the app', () => {
  it('a merge-time refusal edited back to "planned" is refused on re-run (the meta is signed)', async () => {
    openPull(40, sha(40), ['charter:allow-destructive']);
    await plan(40, sha(40), ['charter:allow-destructive']);
    merge(40, sha(400));
    editZone();
    await push(sha(400));
    const refused = sticky(40);
    expect(parseMeta(refused.body)?.state).toBe('refused');

    // Someone with write access edits the hidden meta to "planned" (keeping everything else) and re-runs.
    const forged = refused.body.replace(/<!-- charter:meta (\S+) -->/, (_, b64: string) => {
      const doc = JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as Record<string, unknown>;
      return `<!-- charter:meta ${Buffer.from(JSON.stringify({ ...doc, state: 'planned' })).toString('base64')} -->`;
    });
    github.state.editComment(REPO, refused.id, forged, 'mallory');
    sandbox.stats.reset();
    await comment('/charter apply', { number: 40 });
    const reply = github.state.commentsOn(REPO, 40).at(-1)!.body;
    expect(reply).toMatch(/Charter did not apply anything: Pull request #40 has no Charter plan comment/);
    expect(reply).toMatch(/signature of its plan meta does not match/);
    expect(awsWrites()).toEqual([]);
    expect(checkRuns(github, 'Charter apply').at(-1)!.conclusion).toBe('failure');
  });

  it('a comment edited by someone else after Charter wrote it is refused, even with its meta intact', async () => {
    openPull(41, sha(41), ['charter:allow-destructive']);
    await plan(41, sha(41), ['charter:allow-destructive']);
    const own = sticky(41);
    github.state.editComment(REPO, own.id, own.body.replace('Charter plan', 'Charter plan (all fine, just approve)'), 'mallory');
    merge(41, sha(410));
    await push(sha(410));
    expect(awsWrites()).toEqual([]);
    const [run] = checkRuns(github, 'Charter apply');
    expect(run.conclusion).toBe('failure');
    expect(sticky(41).body).toMatch(/cannot be trusted: it was edited by mallory after Charter last wrote it/);
    expect(parseMeta(sticky(41).body)?.state).toBe('refused');
  });

  it('a synchronize plan finishing after the merge-time refusal does not flip it back to planned', async () => {
    openPull(42, sha(42), ['charter:allow-destructive']);
    await plan(42, sha(42), ['charter:allow-destructive']);
    merge(42, sha(420));
    editZone();
    // The push and a late synchronize (its payload still says "open") arrive together.
    await Promise.all([push(sha(420)), plan(42, sha(42), ['charter:allow-destructive'], 'synchronize')]);
    expect(parseMeta(sticky(42).body)?.state).toBe('refused');
    await plan(42, sha(42), ['charter:allow-destructive'], 'synchronize');
    expect(parseMeta(sticky(42).body)?.state).toBe('refused');
    await comment('/charter apply', { number: 42 });
    expect(github.state.commentsOn(REPO, 42).at(-1)!.body).toMatch(/holds no reviewed plan \(state refused\)/);
    expect(awsWrites()).toEqual([]);
  });

  it('a label added after the merge does not unblock a blocked plan', async () => {
    openPull(43, sha(43));
    await plan(43, sha(43));
    merge(43, sha(430));
    await push(sha(430));
    expect(parseMeta(sticky(43).body)?.state).toBe('blocked');
    expect(parseMeta(sticky(43).body)?.allowDestructive).toBe(false);
    // Triage adds the label after the merge and retries.
    repo.pulls.find((p) => p.number === 43)!.labels = ['charter:allow-destructive'];
    await comment('/charter apply', { number: 43 });
    const runs = checkRuns(github, 'Charter apply');
    expect(runs).toHaveLength(2);
    expect(runs[1].output.title).toMatch(/charter:allow-destructive|blocked|destructive/i);
    expect(parseMeta(sticky(43).body)?.state).toBe('blocked');
    expect(awsWrites()).toEqual([]);
  });

  it('commands from a user without write access: one reply per user and pull request, no API call after the first', async () => {
    openPull(44, sha(44));
    for (let i = 0; i < 5; i++) await comment('/charter apply', { number: 44, login: 'reader' });
    const replies = github.state.commentsOn(REPO, 44);
    expect(replies).toHaveLength(1);
    expect(replies[0].body).toBe('@reader Charter commands need write access to this repository.');
    expect(github.requests.filter((r) => r.path.includes('/collaborators/'))).toHaveLength(1);
    const calls = github.requests.length;
    await comment('/charter plan', { number: 44, login: 'reader' });
    expect(github.requests.length).toBe(calls);
    // Another pull request: one more answer.
    openPull(45, sha(45));
    await comment('/charter plan', { number: 45, login: 'reader' });
    expect(github.state.commentsOn(REPO, 45)).toHaveLength(1);
  });
});
