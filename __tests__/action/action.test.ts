import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { mergePull, pullRequestEvent, pullTouchesWorkspace, pushEvent, runAction, TEST_PULL, webhookExample } from '../helpers/action.js';
import { apply } from '../../src/core/engine.js';
import { copyExamples, EXAMPLE_SECRETS, sandboxOptions, startExampleSandbox } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const { repository: REPO, headSha: HEAD_SHA, mergeSha: MERGE_SHA } = TEST_PULL;
const TOKEN = 'ghs_testtoken000000000000000000000000';

let sandbox: Sandbox;
let github: FakeGitHub;
let workspace: string;

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  workspace = copyExamples();
  github = await startFakeGitHub({
    token: TOKEN,
    repos: [{ fullName: REPO, defaultBranch: 'master', pulls: [{ number: 2, headSha: HEAD_SHA, labels: ['charter:allow-destructive'] }] }],
  });
});
afterEach(async () => {
  await sandbox.close();
  await github.close();
});

const common = () => ({ workspace, githubUrl: github.url, awsEndpoint: sandbox.endpoint, repository: REPO });
/** The examples' Data API target and client secret, allowed as a workflow would allow them. */
const ALLOW = 'env: [AAD_CLIENT_SECRET]\nredshift: { clusters: [examplecluster], dbUsers: [awsuser] }';
const inputs = { 'github-token': TOKEN, policies: 'policies/examples', allow: ALLOW };

async function planOnPullRequest() {
  pullTouchesWorkspace(github, workspace);
  return runAction({ ...common(), eventName: 'pull_request', event: pullRequestEvent(), inputs, sha: HEAD_SHA, ref: 'refs/pull/2/merge' });
}

const merge = () => mergePull(github);

async function applyOnPush() {
  return runAction({ ...common(), eventName: 'push', event: pushEvent(), inputs, sha: MERGE_SHA, ref: 'refs/heads/master' });
}

describe('the Action as a process', () => {
  it('pull_request: posts one plan comment, then updates it in place', async () => {
    const first = await planOnPullRequest();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.outputs['has-changes']).toBe('true');
    expect(first.outputs.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(first.outputs.create)).toBeGreaterThan(0);
    expect(first.outputs.destructive).toBe('true');
    expect(readFileSync(first.outputs['plan-file'], 'utf8')).toContain(first.outputs.fingerprint);
    expect(first.summary).toContain('_mta-sts.example.net.');
    let comments = github.state.commentsOn(REPO, 2);
    expect(comments).toHaveLength(1);
    const id = comments[0].id;
    expect(comments[0].body).toContain('<!-- charter:comment -->');
    // Annotation on the YAML line of the risky DMARC change.
    expect(first.stdout).toMatch(/::warning title=Disruptive change[^\n]*,file=policies\/examples\/enforce-with-bimi\.yml,line=12,col=3::/);
    // The token is registered as a secret (the runner masks it) and appears nowhere else.
    expect(first.stdout).toContain(`::add-mask::${TOKEN}`);
    expect((first.stdout + first.stderr).replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    // The RedshiftGrants example's client secret is masked in the log too, and appears nowhere else.
    const secret = EXAMPLE_SECRETS.AAD_CLIENT_SECRET;
    expect(first.stdout).toContain(`::add-mask::${secret}`);
    expect((first.stdout + first.stderr + first.summary).replace(`::add-mask::${secret}`, '')).not.toContain(secret);

    const file = join(workspace, 'policies/examples/testing-mode.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('maxAge: 86400', 'maxAge: 172800'));
    const second = await planOnPullRequest();
    expect(second.code).toBe(0);
    comments = github.state.commentsOn(REPO, 2);
    expect(comments).toHaveLength(1);
    expect(comments[0].id).toBe(id);
    expect(comments[0].body).toContain(second.outputs.fingerprint.slice(0, 12));
    expect(second.outputs.fingerprint).not.toBe(first.outputs.fingerprint);
    // Never a write to AWS from a pull_request run.
    expect(sandbox.stats.calls().filter((c) => /^(Change|Put|Create|Request)/.test(c.operation))).toEqual([]);
  });

  it('pull_request from a fork (read-only token): the plan still succeeds, in the job summary, with a warning', async () => {
    github.state.fail({ method: 'POST', path: /\/issues\/2\/comments$/, status: 403, message: 'Resource not accessible by integration' });
    const run = await planOnPullRequest();
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/::warning::Cannot comment on #2/);
    expect(run.summary).toContain('_mta-sts.example.net.');
    expect(github.state.commentsOn(REPO, 2)).toHaveLength(0);
  });

  it('push: applies exactly the reviewed plan and marks the comment applied', async () => {
    const reviewed = await planOnPullRequest();
    expect(reviewed.code).toBe(0);
    merge();
    const applied = await applyOnPush();
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.outputs.fingerprint).toBe(reviewed.outputs.fingerprint);
    const zone = sandbox.state.route53.hostedZones.find((z) => z.name === 'example.net.')!;
    expect(zone.records.some((r) => r.name === '_mta-sts.example.net.')).toBe(true);
    const comments = github.state.commentsOn(REPO, 2);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toMatch(/applied/i);
    // The same reviewed plan is not applied twice.
    const again = await applyOnPush();
    expect(again.code).toBe(1);
    expect(again.outputs['failure-reason']).toMatch(/already applied/);
  });

  it('push: refuses a plan that changed since review, applies nothing and shows the difference', async () => {
    const reviewed = await planOnPullRequest();
    expect(reviewed.code).toBe(0);
    merge();
    // Someone edits the zone after the review: the plan for that record changes.
    const zone = sandbox.state.route53.hostedZones.find((z) => z.name === 'example.net.')!;
    zone.records.push({ name: '_smtp._tls.example.net.', type: 'TXT', ttl: 300, values: ['"v=TLSRPTv1; rua=mailto:other@example.org"'] });
    sandbox.stats.reset();
    const refused = await applyOnPush();
    expect(refused.code).toBe(1);
    expect(refused.outputs['failure-reason']).toMatch(/changed since it was reviewed/);
    expect(sandbox.stats.calls().filter((c) => /^(Change|Put|Create|Request)/.test(c.operation))).toEqual([]);
    const body = github.state.commentsOn(REPO, 2)[0].body;
    expect(body).toContain('_smtp._tls.example.net.');
  });

  it('workflow_dispatch: opens, updates, closes and reopens the drift issue', async () => {
    const drift = (extra: Record<string, string> = {}) =>
      runAction({ ...common(), eventName: 'workflow_dispatch', event: webhookExample('workflow_dispatch'), inputs: { ...inputs, ...extra }, sha: MERGE_SHA, ref: 'refs/heads/master' });
    const issues = () => github.state.repo(REPO).issues.filter((i) => i.labels.includes('charter:drift'));

    // Nothing applied yet: every declared record is drift.
    const first = await drift();
    expect(first.code).toBe(1);
    expect(first.outputs.drift).toBe('true');
    expect(first.outputs['failure-reason']).toMatch(/Drift/);
    expect(issues()).toHaveLength(1);
    expect(issues()[0].state).toBe('open');
    const number = issues()[0].number;

    // Still drifting: the same issue is updated, not a second one.
    const second = await drift({ 'fail-on-drift': 'false' });
    expect(second.code).toBe(0);
    expect(second.outputs.drift).toBe('true');
    expect(issues()).toHaveLength(1);

    // Converge, then the drift check is clean and closes the issue.
    const report = await apply({ ...sandboxOptions(sandbox, workspace), allowDestructive: true });
    expect(report.ok).toBe(true);
    const clean = await drift();
    expect(clean.code).toBe(0);
    expect(clean.outputs.drift).toBe('false');
    expect(issues()[0].state).toBe('closed');

    // A manual edit brings drift back: the same issue reopens.
    const zone = sandbox.state.route53.hostedZones.find((z) => z.name === 'example.net.')!;
    zone.records.find((r) => r.name === '_smtp._tls.example.net.')!.values = ['"v=TLSRPTv1; rua=mailto:someone-else@example.org"'];
    const back = await drift();
    expect(back.code).toBe(1);
    expect(issues()).toHaveLength(1);
    expect(issues()[0].number).toBe(number);
    expect(issues()[0].state).toBe('open');
    expect(issues()[0].body).toContain('_smtp._tls.example.net.');
  });

  it('push: a re-run after a refusal still refuses (the refused plan was never reviewed)', async () => {
    expect((await planOnPullRequest()).code).toBe(0);
    merge();
    const zone = sandbox.state.route53.hostedZones.find((z) => z.name === 'example.net.')!;
    zone.records.push({ name: '_smtp._tls.example.net.', type: 'TXT', ttl: 300, values: ['"v=TLSRPTv1; rua=mailto:other@example.org"'] });
    expect((await applyOnPush()).code).toBe(1);
    const rerun = await applyOnPush();
    expect(rerun.code).toBe(1);
    expect(rerun.outputs['failure-reason']).toMatch(/no reviewed plan/);
    expect(zone.records.filter((r) => r.name === '_mta-sts.example.net.')).toEqual([]);
  });

  it('push: a marker comment forged by another user is not trusted', async () => {
    const real = await planOnPullRequest();
    expect(real.code).toBe(0);
    merge();
    // Someone copies Charter's comment with its fingerprint: only github-actions[bot]'s comment counts,
    // and the real one is still found and used.
    const body = github.state.commentsOn(REPO, 2)[0].body;
    github.state.addComment(REPO, 2, body, 'mallory');
    const applied = await applyOnPush();
    expect(applied.code, applied.stdout).toBe(0);
    const own = github.state.commentsOn(REPO, 2).filter((c) => c.user.login === 'github-actions[bot]');
    expect(own).toHaveLength(1);
    expect(own[0].body).toMatch(/applied/i);
    expect(github.state.commentsOn(REPO, 2).find((c) => c.user.login === 'mallory')!.body).toBe(body);
  });

  it('push: without a comment by Charter nothing is applied', async () => {
    merge();
    github.state.addComment(REPO, 2, '<!-- charter:comment -->\nforged', 'mallory');
    const run = await applyOnPush();
    expect(run.code).toBe(1);
    expect(run.outputs['failure-reason']).toMatch(/no Charter plan comment/);
    expect(sandbox.stats.calls().filter((c) => /^(Change|Put|Create|Request)/.test(c.operation))).toEqual([]);
  });

  it('push to another branch validates only, with annotations on the YAML position', async () => {
    writeFileSync(join(workspace, 'policies/examples/typo.yml'), 'apiVersion: charter/v1\nkind: EmailSecurity\nmetadata:\n  name: typo\nspec:\n  domain: typo.example.net\n  tlsRPT:\n    rua: [mailto:a@example.net]\n');
    const event = pushEvent();
    event.ref = 'refs/heads/feature';
    const run = await runAction({ ...common(), eventName: 'push', event, inputs, sha: MERGE_SHA, ref: 'refs/heads/feature' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Charter validate');
    expect(run.stdout).toMatch(/::error title=[^\n]*schema\/unknown-key[^\n]*,file=policies\/examples\/typo\.yml,line=7,col=3::/);
    expect(sandbox.stats.count()).toBe(0);
  });

  it('never applies from a pull_request event, even in apply mode', async () => {
    const run = await runAction({ ...common(), eventName: 'pull_request', event: pullRequestEvent(), inputs: { ...inputs, mode: 'apply' }, sha: HEAD_SHA, ref: 'refs/pull/2/merge' });
    expect(run.code).toBe(1);
    expect(run.outputs['failure-reason']).toMatch(/never applies from a pull_request/);
    expect(sandbox.stats.count()).toBe(0);
  });

  it('comment: true without a token warns at plan time; the plan still runs', async () => {
    const { 'github-token': _token, ...withoutToken } = inputs;
    const run = await runAction({ ...common(), eventName: 'pull_request', event: pullRequestEvent(), inputs: withoutToken, sha: HEAD_SHA, ref: 'refs/pull/2/merge' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/::warning::Input comment is true but github-token is empty/);
    expect(run.summary).toContain('_mta-sts.example.net.');
    const quiet = await runAction({ ...common(), eventName: 'pull_request', event: pullRequestEvent(), inputs: { ...withoutToken, comment: 'false' }, sha: HEAD_SHA, ref: 'refs/pull/2/merge' });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toContain('github-token is empty');
  });

  it('a crash is readable: the stack names functions and src/ lines (dist ships source maps, keeps names)', async () => {
    const broken = join(workspace, 'broken-event.json');
    writeFileSync(broken, '{not json');
    const run = await runAction({ ...common(), eventName: 'pull_request', event: pullRequestEvent(), inputs, env: { GITHUB_EVENT_PATH: broken }, sha: HEAD_SHA, ref: 'refs/pull/2/merge' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::Charter failed: /);
    expect(run.stdout).toContain('::group::Stack trace (for a bug report)');
    expect(run.stdout).toMatch(/at readInputs \(.*src\/action\/inputs\.ts:\d+:\d+\)/);
  });

  it('pull_request_target is refused before anything is read; only mode: validate runs there', async () => {
    const run = await runAction({ ...common(), eventName: 'pull_request_target', event: pullRequestEvent(), inputs, sha: HEAD_SHA, ref: 'refs/heads/master' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::Charter refuses to run on pull_request_target/);
    expect(run.outputs['failure-reason']).toContain('pull_request_target');
    expect(sandbox.stats.calls()).toEqual([]);
    expect(github.state.commentsOn(REPO, 2)).toHaveLength(0);
    for (const mode of ['plan', 'drift']) {
      const explicit = await runAction({ ...common(), eventName: 'pull_request_target', event: pullRequestEvent(), inputs: { ...inputs, mode }, sha: HEAD_SHA, ref: 'refs/heads/master' });
      expect(explicit.code, mode).toBe(1);
    }
    const validate = await runAction({ ...common(), eventName: 'pull_request_target', event: pullRequestEvent(), inputs: { ...inputs, mode: 'validate' }, sha: HEAD_SHA, ref: 'refs/heads/master' });
    expect(validate.code, validate.stdout).toBe(0);
    expect(sandbox.stats.calls()).toEqual([]);
  });
});

describe('the Action: the reviewed-plan gate verifies the comment', () => {
  const KEY = 'action-plan-signing-key-0123456789abcdef';
  const signed = { ...inputs, 'plan-signing-key': KEY };
  const planSigned = () => (pullTouchesWorkspace(github, workspace), runAction({ ...common(), eventName: 'pull_request', event: pullRequestEvent(), inputs: signed, sha: HEAD_SHA, ref: 'refs/pull/2/merge' }));
  const applySigned = () => runAction({ ...common(), eventName: 'push', event: pushEvent(), inputs: signed, sha: MERGE_SHA, ref: 'refs/heads/master' });
  const mtaSts = () => sandbox.state.route53.hostedZones.find((z) => z.name === 'example.net.')!.records.filter((r) => r.name === '_mta-sts.example.net.');
  const setState = (body: string, state: string) =>
    body.replace(/<!-- charter:meta (\S+) -->/, (_, b64: string) => {
      const doc = JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as Record<string, unknown>;
      return `<!-- charter:meta ${Buffer.from(JSON.stringify({ ...doc, state })).toString('base64')} -->`;
    });

  it('a comment by another github-actions[bot] step carrying the marker is ignored; the real plan is applied', async () => {
    expect((await planSigned()).code).toBe(0);
    const real = github.state.commentsOn(REPO, 2)[0];
    const reviewedBody = real.body;
    merge();
    // Another workflow step with GITHUB_TOKEN posts a copy of Charter's comment (a newer marker comment).
    const copy = github.state.addComment(REPO, 2, reviewedBody, 'github-actions[bot]');
    const run = await applySigned();
    expect(run.code, run.stdout).toBe(0);
    expect(mtaSts()).toHaveLength(1);
    expect(github.state.commentsOn(REPO, 2).find((c) => c.id === real.id)!.body).toMatch(/applied/i);
    expect(github.state.commentsOn(REPO, 2).find((c) => c.id === copy.id)!.body).toBe(reviewedBody);
  });

  it('a merge-time refusal edited back to "planned" is refused on re-run, with a key and without one', async () => {
    for (const [i, [planRun, applyRun]] of ([
      [planSigned, applySigned],
      [planOnPullRequest, applyOnPush],
    ] as const).entries()) {
      github.state.repo(REPO).comments.length = 0;
      const pull = github.state.repo(REPO).pulls[0];
      Object.assign(pull, { state: 'open', mergedAt: null, mergeCommitSha: null });
      expect((await planRun()).code).toBe(0);
      merge();
      const zone = sandbox.state.route53.hostedZones.find((z) => z.name === 'example.net.')!;
      zone.records = zone.records.filter((r) => r.name !== '_smtp._tls.example.net.');
      zone.records.push({ name: '_smtp._tls.example.net.', type: 'TXT', ttl: 300, values: [`"v=TLSRPTv1; rua=mailto:other${i}@example.org"`] });
      expect((await applyRun()).code).toBe(1);
      const own = github.state.commentsOn(REPO, 2)[0];
      expect(own.body).toMatch(/refused|changed since/i);
      github.state.editComment(REPO, own.id, setState(own.body, 'planned'), 'mallory');
      const rerun = await applyRun();
      expect(rerun.code).toBe(1);
      expect(rerun.outputs['failure-reason']).toMatch(/signature of its plan meta does not match|edited by mallory after Charter last wrote it/);
      expect(mtaSts()).toEqual([]);
    }
  });
});
