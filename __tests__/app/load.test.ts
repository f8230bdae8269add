/**
 * The app under load, through Probot with its throttling on (Charter's limiters at TEST_THROTTLE spacing):
 * writes are spaced per installation token and comment creations per repository, not per process; a burst
 * of pushes to one pull request ends with the newest head's plan in exactly one sticky comment; a plan
 * overtaken by a newer head is dropped before it writes; webhooks are acknowledged before their work runs,
 * and the queue is bounded. With Redis, two replicas share the per-token spacing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Probot } from 'probot';
import type { CharterApp } from '../../src/app/app.js';
import { parseMeta } from '../../src/core/plan-meta.js';
import { emptyReachConfig } from '../../src/core/reach.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startExampleSandbox } from '../helpers/aws.js';
import { redisForFile } from '../helpers/redis.js';
import type { GitHubMock, MockRepo } from './github-mock.js';
import { BASE_SHA, fixturePolicies, type GitHubTarget, loadApp, mockGitHub, postWebhook, pullRequestEvent, REPO, serveApp, sha, testConfig } from './harness.js';

const MARKER = '<!-- charter:comment -->';

let sandbox: Sandbox;
let github: GitHubMock;
/** The mock served on loopback (GitHubMock.listen), where Probot's clients go. */
let githubServer: { url: string; close(): Promise<void> };
const target = (): GitHubTarget => ({ baseUrl: githubServer.url });
const testRedis = redisForFile('the Redis throttling test');
beforeEach(async () => {
  sandbox = await startExampleSandbox();
  github = mockGitHub();
  githubServer = await github.listen();
});
afterEach(async () => {
  await githubServer.close();
  await sandbox.close();
});

interface Timed {
  at: number;
  method: string;
  path: string;
  auth?: string;
}

/** Every request with the time it reached "GitHub". */
function timeline(): Timed[] {
  const seen: Timed[] = [];
  github.onRequest = (r) => seen.push({ at: performance.now(), method: r.method, path: r.path, auth: r.auth });
  return seen;
}

const isWrite = (r: Timed) => (r.method !== 'GET' && !r.path.endsWith('/access_tokens')) || r.path === '/graphql';

function minGap(times: number[]): number {
  let gap = Infinity;
  for (let i = 1; i < times.length; i++) gap = Math.min(gap, times[i] - times[i - 1]);
  return gap;
}

function addPull(name: string, number: number, head: string): void {
  const repo = github.repo(name);
  github.commit(name, head, new Map([...(repo.commits.get(BASE_SHA) ?? new Map()), ...fixturePolicies()]));
  const pull = repo.pulls.find((p) => p.number === number);
  if (pull) pull.headSha = head;
  else repo.pulls.push({ number, state: 'open', headSha: head, labels: [], mergeCommitSha: null, mergedAt: null });
}

/** A pull_request event of `name` in `installation` (the example payload, retargeted). */
function eventFor(name: string, installation: number, number: number, head: string, action = 'opened') {
  const event = pullRequestEvent(action, { number, headSha: head });
  const [owner, repoName] = name.split('/');
  event.repository = { ...event.repository, name: repoName, full_name: name, owner: { ...event.repository.owner, login: owner }, default_branch: 'master' };
  event.pull_request.base.repo = { ...event.pull_request.base.repo, full_name: name };
  event.pull_request.head.repo = { ...event.pull_request.head.repo, full_name: name };
  event.installation = { id: installation, node_id: `I${installation}` };
  return event;
}

function reachAll(names: string[]) {
  return Object.fromEntries(names.map((n) => [n.toLowerCase(), { ...emptyReachConfig(), roleArn: 'arn:aws:iam::123456789012:role/charter-load' }]));
}

describe('throttling per installation token', () => {
  it('spaces writes per installation and comment creations per repository, while installations proceed side by side', async () => {
    const repos: Array<{ name: string; installation: number }> = [];
    for (const installation of [2, 3]) {
      github.addInstallation(installation, `org${installation}`);
      for (const r of ['a', 'b']) {
        const name = `org${installation}/${r}`;
        github.addRepo(name, installation, 'master');
        github.commit(name, BASE_SHA, new Map([['README.md', Buffer.from('hi\n')]]), 'master');
        repos.push({ name, installation });
      }
    }
    const throttle = { writeMs: 80, notifyMs: 200 };
    const { probot, charter } = await loadApp(testConfig(sandbox, { reach: reachAll(repos.map((r) => r.name)), work: { concurrency: 4, maxQueued: 100 }, throttle }), target());
    try {
      const seen = timeline();
      let n = 0;
      for (const { name, installation } of repos) {
        for (let pr = 1; pr <= 2; pr++) {
          addPull(name, pr, sha(1000 + ++n));
          await probot.receive({ id: `d${n}`, name: 'pull_request', payload: eventFor(name, installation, pr, sha(1000 + n)) } as never);
        }
      }
      await charter.drained();
      for (const { name } of repos) {
        for (const pr of [1, 2]) expect(github.comments(name, pr).filter((c) => c.body.startsWith(MARKER))).toHaveLength(1);
        expect(github.checkRuns(name, 'Charter plan')).toHaveLength(2);
      }
      const writes = seen.filter(isWrite);
      for (const token of ['token ghs_installation_2', 'token ghs_installation_3']) {
        const mine = writes.filter((w) => w.auth === token).map((w) => w.at);
        expect(mine.length).toBeGreaterThan(8);
        // Measured where the mock answers, after the limiter let each write go: one write's delay on that path
        // (up to a spacing under a loaded machine) can close one gap, so spans of four writes are checked.
        for (let i = 0; i + 3 < mine.length; i++) expect(mine[i + 3] - mine[i]).toBeGreaterThanOrEqual(2 * throttle.writeMs);
        expect(mine.at(-1)! - mine[0]).toBeGreaterThanOrEqual((mine.length - 1) * throttle.writeMs - 40);
      }
      // Comment creations: spaced per repository, not per installation (two repositories create close together).
      const creations = writes.filter((w) => w.method === 'POST' && /\/issues\/\d+\/comments$/.test(w.path));
      for (const { name } of repos) {
        expect(minGap(creations.filter((c) => c.path.startsWith(`/repos/${name}/`)).map((c) => c.at))).toBeGreaterThanOrEqual(throttle.notifyMs - 40);
      }
      const inst2 = creations.filter((c) => c.auth === 'token ghs_installation_2').map((c) => c.at);
      expect(minGap(inst2)).toBeLessThan(throttle.notifyMs);
      // The two installations' writes interleave: neither waited for the other's.
      const order = writes.map((w) => w.auth);
      const firstOf3 = order.indexOf('token ghs_installation_3');
      expect(order.lastIndexOf('token ghs_installation_2')).toBeGreaterThan(firstOf3);
    } finally {
      await charter.stop();
    }
  });

  it('with REDIS_URL two replicas share the spacing of one installation token', async (ctx) => {
    const redis = testRedis();
    if (typeof redis === 'string') return ctx.skip(redis);
    const names = ['Codertocat/one', 'Codertocat/two'];
    for (const name of names) {
      github.addRepo(name, 1, 'master');
      github.commit(name, BASE_SHA, new Map([['README.md', Buffer.from('hi\n')]]), 'master');
    }
    const config = testConfig(sandbox, { reach: reachAll(names), redisUrl: redis.url, throttle: { writeMs: 100, notifyMs: 100 } });
    const one = await loadApp(config, target());
    const two = await loadApp(config, target());
    try {
      const seen = timeline();
      const replicas: Array<{ probot: Probot; charter: CharterApp }> = [one, two];
      await Promise.all(
        names.flatMap((name, i) =>
          [1, 2].map((pr) => {
            addPull(name, pr, sha(2000 + i * 10 + pr));
            return replicas[(i + pr) % 2].probot.receive({ id: `r${i}${pr}`, name: 'pull_request', payload: eventFor(name, 1, pr, sha(2000 + i * 10 + pr)) } as never);
          }),
        ),
      );
      await Promise.all([one.charter.drained(), two.charter.drained()]);
      for (const name of names) for (const pr of [1, 2]) expect(github.comments(name, pr).filter((c) => c.body.startsWith(MARKER))).toHaveLength(1);
      const writes = seen.filter(isWrite).map((w) => w.at);
      expect(writes.length).toBeGreaterThan(8);
      // One token, two processes' worth of clients: still one write at a time, 100 ms apart (less the jitter
      // between the limiter and the mock); separate limiters would let the replicas write at the same moment.
      expect(minGap(writes)).toBeGreaterThanOrEqual(60);
      expect(writes.at(-1)! - writes[0]).toBeGreaterThanOrEqual((writes.length - 1) * 100 - 40);
    } finally {
      await one.charter.stop();
      await two.charter.stop();
    }
  });
});

describe('several replicas', () => {
  it('with REDIS_URL a scheduled drift tick runs on one replica only', async (ctx) => {
    const redis = testRedis();
    if (typeof redis === 'string') return ctx.skip(redis);
    const repo = github.repo(REPO);
    github.commit(REPO, sha(60), new Map([...repo.commits.get(BASE_SHA)!, ...fixturePolicies()]), 'master');
    // One tick, a few seconds ahead, so each replica fires exactly once.
    const at = new Date(Date.now() + 3000);
    const schedule = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
    const config = testConfig(sandbox, { redisUrl: redis.url, drift: { schedule, timezone: 'UTC', path: '/charter/drift', concurrency: 1 } });
    const one = await loadApp(config, target());
    const two = await loadApp(config, target());
    try {
      const seen = timeline();
      const deadline = Date.now() + 20_000;
      while (repo.issues.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(repo.issues).toHaveLength(1);
      // Time for the other replica's tick to have run, had it not been claimed.
      await new Promise((r) => setTimeout(r, 1500));
      expect(seen.filter((r) => r.method === 'GET' && r.path === '/app/installations')).toHaveLength(1);
      expect(one.charter.nextDriftCheck()?.getTime()).toBeGreaterThan(at.getTime());
    } finally {
      await one.charter.stop();
      await two.charter.stop();
    }
  });
});

describe('the newest head wins', () => {
  let repo: MockRepo;
  beforeEach(() => {
    repo = github.repo(REPO);
  });

  it('a burst of 30 signed synchronize deliveries: each acknowledged at once, one sticky comment showing the last head', async () => {
    const server = await serveApp(testConfig(sandbox), target());
    try {
      const acks: number[] = [];
      for (let i = 1; i <= 30; i++) {
        addPull(REPO, 7, sha(3000 + i));
        const started = performance.now();
        const response = await postWebhook(server.url, 'pull_request', pullRequestEvent(i === 1 ? 'opened' : 'synchronize', { number: 7, headSha: sha(3000 + i) }));
        acks.push(performance.now() - started);
        expect(response.status).toBe(200);
        // Acknowledged before its plan ran: nothing was written yet when the first delivery was answered.
        if (i === 1) expect(github.writes()).toEqual([]);
      }
      expect(Math.max(...acks)).toBeLessThan(1000);
      await server.charter.drained();
      const sticky = github.comments(REPO, 7).filter((c) => c.body.startsWith(MARKER));
      expect(sticky).toHaveLength(1);
      expect(parseMeta(sticky[0].body)?.head).toBe(sha(3030));
      // Coalesced: far fewer plans than deliveries; the last head's check run is the plan's verdict.
      const runs = github.checkRuns(REPO, 'Charter plan');
      expect(runs.length).toBeLessThan(10);
      const last = runs.filter((r) => r.headSha === sha(3030));
      expect(last).toHaveLength(1);
      expect(last[0].conclusion).toBe('action_required');
      for (const run of runs.filter((r) => r.headSha !== sha(3030))) expect(run.conclusion === 'neutral' || run.conclusion === 'action_required').toBe(true);
      expect(server.charter.work.stats.coalesced).toBeGreaterThan(15);
    } finally {
      await server.close();
    }
  });

  it('a plan overtaken by a newer head writes no comment; its check run ends neutral "Superseded by", and the new head is planned', async () => {
    const { probot, charter } = await loadApp(testConfig(sandbox, { checkInProgressAfterMs: 0 }), target());
    try {
      addPull(REPO, 8, sha(4001));
      github.commit(REPO, sha(4002), repo.commits.get(sha(4001))!);
      // The head moves while the plan of sha(4001) runs, just before its pre-write look at the pull request.
      let moved = false;
      github.onRequest = (r) => {
        if (!moved && r.method === 'GET' && r.path.endsWith('/pulls/8')) {
          moved = true;
          repo.pulls.find((p) => p.number === 8)!.headSha = sha(4002);
        }
      };
      await probot.receive({ id: 'p8', name: 'pull_request', payload: pullRequestEvent('opened', { number: 8, headSha: sha(4001) }) } as never);
      await charter.drained();
      const [old] = github.checkRuns(REPO, 'Charter plan').filter((r) => r.headSha === sha(4001));
      expect(old.conclusion).toBe('neutral');
      expect(old.output.title).toBe(`Superseded by ${sha(4002).slice(0, 12)}`);
      const [current] = github.checkRuns(REPO, 'Charter plan').filter((r) => r.headSha === sha(4002));
      expect(current.conclusion).toBe('action_required');
      const sticky = github.comments(REPO, 8).filter((c) => c.body.startsWith(MARKER));
      expect(sticky).toHaveLength(1);
      expect(parseMeta(sticky[0].body)?.head).toBe(sha(4002));
    } finally {
      await charter.stop();
    }
  });
});

describe('bounded work', () => {
  it('runs at most `concurrency` jobs, refuses deliveries past maxQueued, and fast plans create their check run completed in one write', async () => {
    const names = ['Codertocat/q1', 'Codertocat/q2', 'Codertocat/q3', 'Codertocat/q4'];
    for (const name of names) {
      github.addRepo(name, 1, 'master');
      github.commit(name, BASE_SHA, new Map([['README.md', Buffer.from('hi\n')]]), 'master');
    }
    const server = await serveApp(testConfig(sandbox, { reach: reachAll(names), work: { concurrency: 1, maxQueued: 2 } }), target());
    try {
      let peak = 0;
      const statuses: number[] = [];
      for (const [i, name] of names.entries()) {
        addPull(name, 1, sha(5000 + i));
        const response = await postWebhook(server.url, 'pull_request', eventFor(name, 1, 1, sha(5000 + i)));
        statuses.push(response.status);
        peak = Math.max(peak, server.charter.work.stats.running);
      }
      // One starts (or waits its turn), two wait, the fourth finds the queue full: GitHub shows it failed.
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses[3]).toBeGreaterThanOrEqual(500);
      await server.charter.drained();
      expect(peak).toBeLessThanOrEqual(1);
      expect(server.charter.work.stats.peakQueued).toBeLessThanOrEqual(2);
      for (const name of names.slice(0, 3)) {
        const [run] = github.checkRuns(name, 'Charter plan');
        expect(run.conclusion).toBe('action_required');
        const creates = github.requests.filter((r) => r.method === 'POST' && r.path === `/repos/${name}/check-runs`);
        expect(creates).toHaveLength(1);
        expect((creates[0].body as { status: string }).status).toBe('completed');
        expect(github.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith(`/repos/${name}/check-runs/`))).toHaveLength(0);
      }
      expect(github.checkRuns(names[3], 'Charter plan')).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
