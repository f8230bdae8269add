import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Probot } from 'probot';
import type { CharterApp } from '../../src/app/app.js';
import { emptyReachConfig } from '../../src/core/reach.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { stsSessions } from '../../src/sandbox/services/sts.js';
import { startExampleSandbox } from '../helpers/aws.js';
import type { FakeGitHub, FakeRepo } from '../helpers/fake-github.js';
import {
  BASE_SHA,
  BOT,
  branchEvent,
  commentEvent,
  DRIFT_TOKEN,
  fixturePolicies,
  INSTALLATION,
  loadApp,
  postWebhook,
  PRIVATE_KEY,
  pullRequestEvent,
  pushEvent,
  REPO,
  serveApp,
  sha,
  sign,
  startGitHub,
  testConfig,
  WEBHOOK_SECRET,
} from './harness.js';

const MARKER = '<!-- charter:comment -->';
const TYPO = 'apiVersion: charter/v1\nkind: EmailSecurity\nmetadata:\n  name: typo\nspec:\n  domain: typo.example.net\n  tlsRPT:\n    rua: [mailto:a@example.net]\n';

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

function openPull(number: number, headSha: string, opts: { files?: Map<string, Buffer>; labels?: string[] } = {}): void {
  github.state.commit(REPO, headSha, new Map([...repo.files.get(BASE_SHA)!, ...(opts.files ?? fixturePolicies())]));
  github.state.addPull(REPO, { number, headSha, labels: opts.labels ?? [] });
}

function merge(number: number, mergeSha: string): void {
  const pull = repo.pulls.find((p) => p.number === number)!;
  github.state.commit(REPO, mergeSha, repo.files.get(pull.headSha)!, 'master');
  Object.assign(pull, { state: 'closed', mergeCommitSha: mergeSha, mergedAt: github.state.tick() });
  github.state.associate(REPO, mergeSha, number);
}

const checkRuns = (name?: string) => repo.checkRuns.filter((r) => !name || r.name === name);
const comments = (number: number) => github.state.commentsOn(REPO, number);
const writes = () => github.requests.filter((r) => r.method !== 'GET');
/** Index in `github.requests` of the request that completed a check run. */
const completion = (id: number) =>
  github.requests.findIndex((r) => r.method === 'PATCH' && r.path.endsWith(`/check-runs/${id}`) && typeof (r.body as { conclusion?: unknown }).conclusion === 'string');

/** Delivers an event and waits for its queued work (whose failure is thrown here). */
async function receive(event: unknown): Promise<void> {
  await probot.receive(event as never);
  await charter.drained();
}

async function plan(number: number, headSha: string, labels: string[] = []): Promise<void> {
  await receive({ id: `plan-${number}-${headSha}`, name: 'pull_request', payload: pullRequestEvent('opened', { number, headSha, labels }) });
}

async function push(after: string): Promise<void> {
  await receive({ id: `push-${after}`, name: 'push', payload: pushEvent(after) });
}

async function comment(body: string, opts: Parameters<typeof commentEvent>[1]): Promise<void> {
  await receive({ id: `comment-${Math.random()}`, name: 'issue_comment', payload: commentEvent(body, opts) });
}

const awsWrites = () => sandbox.stats.calls().filter((c) => /^(Change|Put|Create|Request)/.test(c.operation));
const mtaSts = () => sandbox.state.route53.hostedZones.find((z) => z.name === 'example.net.')!.records.filter((r) => r.name === '_mta-sts.example.net.');

describe('the GitHub App: pull requests', () => {
  it('plans a pull request with schema errors: a failed check run with annotations on the YAML lines, in batches of 50', async () => {
    const bulk = Array.from({ length: 55 }, (_, i) =>
      `apiVersion: charter/v1\nkind: EmailSecurity\nmetadata:\n  name: bulk-${i}\nspec:\n  domain: bulk${i}.example.net\n  tlsRPT:\n    rua: [mailto:a@example.net]\n`,
    ).join('---\n');
    const files = new Map([...fixturePolicies(), ['policies/typo.yml', Buffer.from(TYPO)], ['policies/bulk.yml', Buffer.from(bulk)]]);
    openPull(2, sha(2), { files });
    await plan(2, sha(2));

    const [run] = checkRuns('Charter plan');
    expect(run.headSha).toBe(sha(2));
    expect(run.status).toBe('completed');
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toMatch(/policy error/);
    const typo = run.output.annotations.find((a) => a.path === 'policies/typo.yml');
    expect(typo).toMatchObject({ start_line: 7, start_column: 3, annotation_level: 'failure' });
    expect(String(typo?.title)).toContain('schema/unknown-key');
    // More than 50 annotations arrive through several updates, none with more than 50.
    expect(run.output.annotations.length).toBeGreaterThan(55);
    const updates = github.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/check-runs/${run.id}`));
    expect(updates.length).toBeGreaterThan(1);
    for (const u of updates) expect(((u.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length).toBeLessThanOrEqual(50);
    // The in-progress run existed before it was completed.
    expect((github.requests.find((r) => r.method === 'POST' && r.path.endsWith('/check-runs'))!.body as { status: string }).status).toBe('in_progress');
    // The same sticky comment as the Action, by the app's bot.
    const written = comments(2);
    expect(written).toHaveLength(1);
    expect(written[0].user.login).toBe(BOT);
    expect(written[0].body.startsWith(MARKER)).toBe(true);
    expect(written[0].body).toContain('schema/unknown-key');
    // Invalid policies: AWS is not even read.
    expect(sandbox.stats.count()).toBe(0);
  });

  it('plans a destructive change: action_required until the pull request carries charter:allow-destructive', async () => {
    openPull(3, sha(3));
    await plan(3, sha(3));
    const [blocked] = checkRuns('Charter plan');
    expect(blocked.conclusion).toBe('action_required');
    expect(blocked.output.title).toMatch(/charter:allow-destructive/);
    expect(blocked.output.annotations).toContainEqual(
      expect.objectContaining({ path: 'policies/enforce-with-bimi.yml', start_line: 12, start_column: 3, title: expect.stringMatching(/^Disruptive change/) }),
    );
    // The full plan text is in the check run, the Markdown summary matches the comment, no marker in it.
    expect(blocked.output.text).toContain('_mta-sts.example.net.');
    expect(blocked.output.summary).toContain('Apply is blocked');
    expect(blocked.output.summary).not.toContain(MARKER);
    expect(blocked.detailsUrl).toMatch(/#issuecomment-/);
    const id = comments(3)[0].id;

    // Labelling the pull request plans again: allowed now; the comment is updated in place.
    repo.pulls.find((p) => p.number === 3)!.labels = ['charter:allow-destructive'];
    await receive({ id: 'label', name: 'pull_request', payload: pullRequestEvent('labeled', { number: 3, headSha: sha(3), labels: ['charter:allow-destructive'] }) });
    const runs = checkRuns('Charter plan');
    expect(runs).toHaveLength(2);
    expect(runs[1].conclusion).toBe('success');
    expect(comments(3).map((c) => c.id)).toEqual([id]);
    expect(awsWrites()).toEqual([]);
  });

  it('does nothing for a repository without policy files (no check run, no comment)', async () => {
    openPull(4, sha(4), { files: new Map([['src/index.js', Buffer.from('1')]]) });
    await plan(4, sha(4));
    expect(checkRuns()).toEqual([]);
    expect(comments(4)).toEqual([]);
  });

  it('ends the check run as failed with the reason when GitHub answers 5xx', async () => {
    openPull(5, sha(5));
    github.state.fail({ method: 'GET', path: /\/git\/trees\//, status: 502 });
    await expect(plan(5, sha(5))).rejects.toThrow();
    const [run] = checkRuns('Charter plan');
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/GitHub API error 502/);
  });

  it('redacts a secret from the error it rethrows to Probot (logged, and sent back as the delivery response)', async () => {
    openPull(15, sha(15));
    github.state.fail({ method: 'GET', path: /\/git\/trees\//, status: 502, message: `upstream echoed ${WEBHOOK_SECRET}` });
    const error = await plan(15, sha(15)).then(
      () => undefined,
      (e: unknown) => e as Error & { errors?: Error[] },
    );
    expect(error).toBeDefined();
    const thrown = [error!, ...(error!.errors ?? [])];
    for (const e of thrown) {
      expect(e.message).not.toContain(WEBHOOK_SECRET);
      expect(e.stack ?? '').not.toContain(WEBHOOK_SECRET);
    }
    expect(thrown.some((e) => (e as { status?: number }).status === 502)).toBe(true);
    const [run] = checkRuns('Charter plan');
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toContain('upstream echoed ***');
  });

  it('ends the check run as failed with the AWS error, and no secret appears anywhere', async () => {
    openPull(6, sha(6));
    sandbox.faults.throttle('route53', '*', 1000);
    await expect(plan(6, sha(6))).rejects.toThrow();
    const [run] = checkRuns('Charter plan');
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/Throttl/);
    const written = JSON.stringify(writes().map((r) => r.body));
    for (const secret of [WEBHOOK_SECRET, DRIFT_TOKEN, PRIVATE_KEY.split('\n')[1]]) expect(written).not.toContain(secret);
  });
});

describe('the GitHub App: merges', () => {
  it('applies the reviewed plan on push to the default branch, with a check run on the merge commit', async () => {
    openPull(7, sha(7), { labels: ['charter:allow-destructive'] });
    await plan(7, sha(7), ['charter:allow-destructive']);
    expect(awsWrites()).toEqual([]);
    merge(7, sha(70));
    await push(sha(70));

    const [run] = checkRuns('Charter apply');
    expect(run.headSha).toBe(sha(70));
    expect(run.conclusion).toBe('success');
    expect(run.output.title).toMatch(/^Applied \d+ change/);
    expect(mtaSts()).toHaveLength(1);
    const written = comments(7);
    expect(written).toHaveLength(1);
    expect(written[0].body).toMatch(/applied/i);

    // The same push again (a redelivery): nothing left to apply, nothing applied twice.
    sandbox.stats.reset();
    await push(sha(70));
    expect(checkRuns('Charter apply')[1].conclusion).toBe('success');
    expect(awsWrites()).toEqual([]);
  });

  it('refuses a plan that changed since review: nothing applied, the difference on the pull request', async () => {
    openPull(8, sha(8), { labels: ['charter:allow-destructive'] });
    await plan(8, sha(8), ['charter:allow-destructive']);
    merge(8, sha(80));
    const zone = sandbox.state.route53.hostedZones.find((z) => z.name === 'example.net.')!;
    zone.records.push({ name: '_smtp._tls.example.net.', type: 'TXT', ttl: 300, values: ['"v=TLSRPTv1; rua=mailto:other@example.org"'] });
    sandbox.stats.reset();
    await push(sha(80));

    const [run] = checkRuns('Charter apply');
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toMatch(/changed since it was reviewed/);
    expect(awsWrites()).toEqual([]);
    expect(mtaSts()).toEqual([]);
    expect(comments(8)[0].body).toContain('_smtp._tls.example.net.');
  });

  it('refuses to apply a merge whose pull request has no Charter plan, and says so on the pull request', async () => {
    openPull(9, sha(9));
    merge(9, sha(90));
    await push(sha(90));
    expect(checkRuns('Charter apply')[0].conclusion).toBe('failure');
    expect(comments(9)[0].body).toMatch(/no Charter plan comment/);
    expect(awsWrites()).toEqual([]);
  });

  it('serialises applies per repository: the second push starts after the first has finished', async () => {
    openPull(10, sha(10), { labels: ['charter:allow-destructive'] });
    await plan(10, sha(10), ['charter:allow-destructive']);
    openPull(11, sha(11), { labels: ['charter:allow-destructive'] });
    await plan(11, sha(11), ['charter:allow-destructive']);
    merge(10, sha(100));
    merge(11, sha(110));
    sandbox.faults.latency(5);
    await Promise.all([push(sha(100)), push(sha(110))]);

    const [first, second] = checkRuns('Charter apply');
    expect(first.headSha).toBe(sha(100));
    expect(first.conclusion).toBe('success');
    expect(second.headSha).toBe(sha(110));
    expect(second.status).toBe('completed');
    // Every GitHub request of the second apply comes after the first one's check run was completed.
    const firstCompleted = completion(first.id);
    expect(firstCompleted).toBeGreaterThanOrEqual(0);
    const secondStarted = github.requests.findIndex((r) => r.path.includes(`/git/trees/${sha(110)}`));
    const secondCreated = github.requests.findIndex((r) => r.method === 'POST' && r.path.endsWith('/check-runs') && (r.body as { head_sha?: string }).head_sha === sha(110));
    expect(secondStarted).toBeGreaterThan(firstCompleted);
    expect(secondCreated).toBeGreaterThan(firstCompleted);
  });

  it('ignores pushes to other branches, tags, and a deleted ref', async () => {
    await receive({ id: 'push-feature', name: 'push', payload: pushEvent(sha(12), 'refs/heads/feature') });
    await receive({ id: 'push-tag', name: 'push', payload: pushEvent(sha(12), 'refs/tags/master') });
    const deleted = pushEvent('0'.repeat(40));
    deleted.deleted = true;
    await receive({ id: 'push-deleted', name: 'push', payload: deleted });
    expect(github.requests).toEqual([]);
  });
});

describe('the GitHub App: commands', () => {
  it('refuses a command from a user without write access', async () => {
    openPull(20, sha(20));
    await comment('/charter plan', { number: 20, login: 'reader' });
    expect(checkRuns()).toEqual([]);
    const replies = comments(20);
    expect(replies).toHaveLength(1);
    expect(replies[0].body).toMatch(/@reader Charter commands need write access/);
    expect(sandbox.stats.count()).toBe(0);
  });

  it('takes maintain as write access and triage as not (role_name and the legacy permission)', async () => {
    repo.permissions.set('maintainer', 'maintain');
    repo.permissions.set('triager', 'triage');
    openPull(25, sha(25));
    await comment('/charter plan', { number: 25, login: 'triager' });
    expect(checkRuns()).toEqual([]);
    expect(comments(25).at(-1)!.body).toMatch(/@triager Charter commands need write access/);
    await comment('/charter plan', { number: 25, login: 'maintainer' });
    expect(checkRuns('Charter plan')).toHaveLength(1);
  });

  it('ignores edited comments and answers commands on plain issues without planning', async () => {
    openPull(26, sha(26));
    const edited = commentEvent('/charter plan', { number: 26 });
    edited.action = 'edited';
    edited.changes = { body: { from: '/charter plan please' } };
    await receive({ id: 'edited', name: 'issue_comment', payload: edited });
    expect(github.requests).toEqual([]);
    github.state.addIssue(REPO, { number: 27, title: 'A plain issue' });
    await comment('/charter plan', { number: 27, onPullRequest: false });
    expect(checkRuns()).toEqual([]);
    expect(comments(27).map((c) => c.body)).toEqual(['Charter commands work on pull requests.']);
  });

  it('ignores comments by bots, including its own', async () => {
    openPull(21, sha(21));
    await comment('/charter apply', { number: 21, login: BOT, type: 'Bot' });
    await comment('/charter plan', { number: 21, login: 'dependabot[bot]', type: 'Bot' });
    expect(github.requests).toEqual([]);
  });

  it('/charter plan plans again; anything else gets the help', async () => {
    openPull(22, sha(22));
    await comment('/charter plan', { number: 22 });
    expect(checkRuns('Charter plan')).toHaveLength(1);
    expect(comments(22)[0].body.startsWith(MARKER)).toBe(true);
    await comment('/charter frobnicate now', { number: 22 });
    const help = comments(22)[1].body;
    expect(help).toContain('does not know the command `frobnicate`');
    expect(help).toContain('/charter plan');
    // A comment not addressed to Charter gets no answer at all.
    const before = github.requests.length;
    await comment('looks good to me', { number: 22 });
    expect(github.requests.length).toBe(before);
  });

  it('/charter apply before the merge is refused unless the repository opts in, then applies the reviewed plan', async () => {
    openPull(23, sha(23), { labels: ['charter:allow-destructive'] });
    await plan(23, sha(23), ['charter:allow-destructive']);
    await comment('/charter apply', { number: 23 });
    expect(comments(23)[1].body).toMatch(/Not applied: Charter applies after the merge.*allowApplyBeforeMerge: true/s);
    expect(checkRuns('Charter apply')).toEqual([]);
    expect(awsWrites()).toEqual([]);

    // Opt in on the default branch (a pull request cannot opt itself in).
    github.state.commit(REPO, sha(230), new Map([...repo.files.get(BASE_SHA)!, ['.github/charter.yml', Buffer.from('allowApplyBeforeMerge: true\n')]]), 'master');
    await comment('/charter apply', { number: 23 });
    const [run] = checkRuns('Charter apply');
    expect(run.headSha).toBe(sha(23));
    expect(run.conclusion).toBe('success');
    expect(mtaSts()).toHaveLength(1);
    expect(comments(23)[0].body).toMatch(/applied/i);
  });

  it('/charter apply after a failed merge retries it, only while the merge commit is the head of the default branch', async () => {
    openPull(24, sha(24), { labels: ['charter:allow-destructive'] });
    await plan(24, sha(24), ['charter:allow-destructive']);
    merge(24, sha(240));
    // AWS is unavailable at merge time: the apply fails before changing anything.
    sandbox.faults.throttle('route53', '*', 1000);
    await expect(push(sha(240))).rejects.toThrow();
    const [failed] = checkRuns('Charter apply');
    expect(failed.conclusion).toBe('failure');
    expect(failed.output.summary).toMatch(/Throttl/);
    expect(mtaSts()).toEqual([]);
    sandbox.faults.reset();

    await comment('/charter apply', { number: 24 });
    const retried = checkRuns('Charter apply')[1];
    expect(retried.headSha).toBe(sha(240));
    expect(retried.conclusion).toBe('success');
    expect(mtaSts()).toHaveLength(1);

    // Once the default branch has moved on, a retry of this merge is refused.
    github.state.commit(REPO, sha(241), repo.files.get(sha(240))!, 'master');
    await comment('/charter apply', { number: 24 });
    expect(checkRuns('Charter apply')).toHaveLength(2);
    expect(comments(24).at(-1)!.body).toMatch(/master has moved on/);
  });

  it('branch creation and deletion without BranchPipelines policies: reads the default branch, writes nothing', async () => {
    await receive({ id: 'create', name: 'create', payload: branchEvent('create', 'feature/x') });
    await receive({ id: 'delete', name: 'delete', payload: branchEvent('delete', 'feature/x') });
    expect(writes().filter((r) => !r.path.endsWith('/access_tokens'))).toEqual([]);
    expect(github.requests.filter((r) => r.method === 'GET').map((r) => r.path)).not.toContainEqual(expect.stringContaining('feature'));
    expect(awsWrites()).toEqual([]);
  });
});

describe('the GitHub App over HTTP', () => {
  it('accepts a signed webhook through the real middleware and rejects a bad signature', async () => {
    const server = await serveApp(testConfig(sandbox), github);
    try {
      openPull(30, sha(30));
      const payload = pullRequestEvent('opened', { number: 30, headSha: sha(30) });
      const forged = await postWebhook(server.url, 'pull_request', payload, sign(JSON.stringify(payload), 'not-the-secret'));
      expect(forged.status).toBeGreaterThanOrEqual(400);
      expect(forged.status).toBeLessThan(500);
      expect(github.requests).toEqual([]);

      const ok = await postWebhook(server.url, 'pull_request', payload);
      expect(ok.status).toBe(200);
      await server.charter.drained();
      expect(checkRuns('Charter plan')[0].conclusion).toBe('action_required');
      expect(comments(30)).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('POST /charter/drift checks every repository of every installation and keeps one drift issue each', async () => {
    github.state.addInstallation(2, 'acme');
    github.state.addRepo({ fullName: 'acme/mail', installation: 2, defaultBranch: 'main' });
    github.state.commit('acme/mail', sha(40), fixturePolicies(), 'main');
    github.state.addRepo({ fullName: 'acme/website', installation: 2, defaultBranch: 'main' });
    github.state.commit('acme/website', sha(41), new Map([['index.html', Buffer.from('<p>hi</p>')]]), 'main');
    github.state.commit(REPO, sha(42), new Map([...repo.files.get(BASE_SHA)!, ...fixturePolicies()]), 'master');
    // Every repository reads AWS with its own role: acme's through the owner-wide entry.
    const config = testConfig(sandbox);
    const server = await serveApp({ ...config, reach: { ...config.reach, 'acme/*': { ...emptyReachConfig(), roleArn: 'arn:aws:iam::123456789012:role/charter-acme' } } }, github);
    try {
      const drift = () => fetch(`${server.url}/charter/drift`, { method: 'POST', headers: { authorization: `Bearer ${DRIFT_TOKEN}` } });
      const denied = await fetch(`${server.url}/charter/drift`, { method: 'POST', headers: { authorization: 'Bearer wrong-token-wrong-token' } });
      expect(denied.status).toBe(401);
      expect(github.requests).toEqual([]);

      const response = await drift();
      const body = (await response.json()) as { results: Array<{ repository: string; status: string; issue?: { action: string } }>; failed: number };
      expect(response.status, JSON.stringify(body)).toBe(200);
      const byRepo = Object.fromEntries(body.results.map((r) => [r.repository, r]));
      expect(byRepo[REPO]).toMatchObject({ status: 'drift', issue: { action: 'created' } });
      expect(byRepo['acme/mail']).toMatchObject({ status: 'drift', issue: { action: 'created' } });
      expect(byRepo['acme/website']).toMatchObject({ status: 'skipped' });
      for (const name of [REPO, 'acme/mail']) {
        const issues = github.state.repo(name).issues;
        expect(issues).toHaveLength(1);
        expect(issues[0].labels).toEqual(['charter:drift']);
        expect(issues[0].body).toContain('_mta-sts.example.net.');
      }
      expect(github.state.repo('acme/website').issues).toEqual([]);
      // Each installation's repositories are read with that installation's token.
      const lists = github.requests.filter((r) => r.path === '/installation/repositories').map((r) => r.headers.authorization);
      expect(lists.sort()).toEqual(['token ghs_installation_1', 'token ghs_installation_2']);
      // Never one credential set for everyone: each repository assumed its own role, named in the session.
      const sessions = stsSessions(sandbox.state).map((s) => `${s.roleArn.split('/').pop()} ${s.sessionName}`);
      expect(new Set(sessions)).toEqual(new Set(['charter-acme charter@acme+mail', 'charter-hello-world charter@Codertocat+Hello-World']));

      // Again: the same issue is kept (updated or unchanged), never a second one.
      const again = await drift();
      expect(again.status).toBe(200);
      for (const name of [REPO, 'acme/mail']) expect(github.state.repo(name).issues).toHaveLength(1);
      expect(awsWrites()).toEqual([]);
      // The second run reused each repository's session (and the SDK clients made with it): no new AssumeRole.
      expect(stsSessions(sandbox.state)).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('skips suspended installations and empty repositories instead of failing the drift run', async () => {
    github.state.commit(REPO, sha(43), new Map([...repo.files.get(BASE_SHA)!, ...fixturePolicies()]), 'master');
    github.state.addRepo({ fullName: 'Codertocat/brand-new', installation: INSTALLATION, defaultBranch: 'main', empty: true }); // created without any commit
    github.state.addInstallation(3, 'paused-org');
    github.state.installations.get(3)!.suspendedAt = '2026-01-01T00:00:00Z';
    github.state.addRepo({ fullName: 'paused-org/mail', installation: 3, defaultBranch: 'main' });
    github.state.commit('paused-org/mail', sha(44), fixturePolicies(), 'main');

    const run = await charter.driftEverywhere();
    expect(run.failed, JSON.stringify(run.results)).toBe(0);
    const byRepo = Object.fromEntries(run.results.map((r) => [r.repository, r]));
    expect(byRepo[REPO]).toMatchObject({ status: 'drift' });
    expect(byRepo['Codertocat/brand-new']).toMatchObject({ status: 'skipped', reason: 'no policy files' });
    expect(byRepo['paused-org/*']).toMatchObject({ installation: 3, status: 'skipped', reason: 'installation suspended' });
    // No token was even asked for the suspended installation.
    expect(github.requests.some((r) => r.path === '/app/installations/3/access_tokens')).toBe(false);
  });

  it('pages through every installation and every repository of each', async () => {
    github.state.maxPerPage = 2;
    for (let i = 0; i < 3; i++) github.state.addInstallation(10 + i, `org${i}`);
    for (let i = 0; i < 5; i++) {
      github.state.addRepo({ fullName: `org1/repo${i}`, installation: 11, defaultBranch: 'main' });
      github.state.commit(`org1/repo${i}`, sha(60 + i), new Map([['README.md', Buffer.from('hi')]]), 'main');
    }
    const run = await charter.driftEverywhere();
    expect(run.failed).toBe(0);
    expect(run.results.map((r) => r.repository).sort()).toEqual([REPO, ...[0, 1, 2, 3, 4].map((i) => `org1/repo${i}`)].sort());
    expect(github.requests.filter((r) => r.path === '/app/installations').length).toBe(2); // 4 installations, 2 per page
    expect(github.requests.filter((r) => r.path === '/installation/repositories' && r.headers.authorization === 'token ghs_installation_11').length).toBe(3);
  });

  it('runs the drift check in process on the configured schedule', async () => {
    github.state.commit(REPO, sha(50), new Map([...repo.files.get(BASE_SHA)!, ...fixturePolicies()]), 'master');
    const scheduled = await loadApp(testConfig(sandbox, { drift: { schedule: '* * * * * *', timezone: 'UTC', path: '/charter/drift', concurrency: 1 } }), github);
    try {
      expect(scheduled.charter.nextDriftCheck()).toBeInstanceOf(Date);
      const deadline = Date.now() + 20_000;
      while (repo.issues.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(repo.issues).toHaveLength(1);
      expect(repo.issues[0].labels).toEqual(['charter:drift']);
    } finally {
      await scheduled.charter.stop();
    }
    expect(scheduled.charter.nextDriftCheck()).toBeUndefined();
  });
});
