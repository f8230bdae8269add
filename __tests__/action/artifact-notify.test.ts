/**
 * The Action as a process (action.yml's input mapping, the bundle): the plan uploaded as a workflow
 * artifact to a loopback Actions results service and linked from the comment and the drift issue; the
 * notification webhook on apply and drift, on a loopback receiver.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { mergePull, pullRequestEvent, pullTouchesWorkspace, pushEvent, runAction, TEST_PULL, webhookExample, type ActionRun } from '../helpers/action.js';
import { startFakeResultsService, unzip, type FakeResultsService } from '../helpers/actions-results.js';
import { apply } from '../../src/core/engine.js';
import { copyExamples, EXAMPLE_SECRETS, sandboxOptions, startExampleSandbox } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const { repository: REPO, headSha: HEAD_SHA, mergeSha: MERGE_SHA } = TEST_PULL;
const TOKEN = 'ghs_testtoken000000000000000000000000';
const RUN_URL = `https://github.com/${REPO}/actions/runs/4242`;
const ALLOW = 'env: [AAD_CLIENT_SECRET]\nredshift: { clusters: [examplecluster], dbUsers: [awsuser] }';
const inputs = { 'github-token': TOKEN, policies: 'policies/examples', allow: ALLOW };

let sandbox: Sandbox;
let github: FakeGitHub;
let results: FakeResultsService;
let webhook: WebhookReceiver;
let workspace: string;

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  workspace = copyExamples();
  github = await startFakeGitHub({
    token: TOKEN,
    repos: [{ fullName: REPO, defaultBranch: 'master', pulls: [{ number: 2, headSha: HEAD_SHA, labels: ['charter:allow-destructive'] }] }],
  });
  // The pull request adds the example policies: under scope changed (the default on pull requests) all are planned.
  pullTouchesWorkspace(github, workspace);
  results = await startFakeResultsService();
  webhook = await startWebhookReceiver();
});
afterEach(async () => {
  await Promise.all([sandbox.close(), github.close(), results.close(), webhook.close()]);
});

const common = () => ({ workspace, githubUrl: github.url, awsEndpoint: sandbox.endpoint, repository: REPO });

function plan(env: Record<string, string> = results.env, extra: Record<string, string> = {}) {
  return runAction({ ...common(), eventName: 'pull_request', event: pullRequestEvent(), inputs: { ...inputs, ...extra }, env, sha: HEAD_SHA, ref: 'refs/pull/2/merge' });
}

function applyOnPush(extra: Record<string, string>, env: Record<string, string> = results.env) {
  return runAction({ ...common(), eventName: 'push', event: pushEvent(), inputs: { ...inputs, ...extra }, env, sha: MERGE_SHA, ref: 'refs/heads/master' });
}

function drift(extra: Record<string, string>, env: Record<string, string>) {
  return runAction({ ...common(), eventName: 'workflow_dispatch', event: webhookExample('workflow_dispatch'), inputs: { ...inputs, 'fail-on-drift': 'false', ...extra }, env, sha: MERGE_SHA, ref: 'refs/heads/master' });
}

const log = (run: ActionRun) => run.stdout + run.stderr;

/** Everything a run wrote anywhere but the runner's mask commands. */
function unmasked(run: ActionRun, secret: string): string {
  return (log(run) + run.summary).split(`::add-mask::${secret}`).join('');
}

describe('the plan as a workflow artifact', () => {
  it('uploads plan.json and plan.txt to the results service and links the artifact from the comment', async () => {
    const run = await plan();
    expect(run.code, log(run)).toBe(0);
    expect(results.problems).toEqual([]);
    expect(results.artifacts).toHaveLength(1);
    const [artifact] = results.artifacts;
    expect(artifact).toMatchObject({ name: 'charter-plan', finalized: true, mimeType: 'application/zip' });
    const files = unzip(artifact.content!);
    expect([...files.keys()].sort()).toEqual(['plan.json', 'plan.txt']);
    // The artifact's plan.json is the run's plan, byte for byte; plan.txt is the text plan.
    expect(files.get('plan.json')!.toString('utf8')).toBe(readFileSync(run.outputs['plan-file'], 'utf8'));
    expect(JSON.parse(files.get('plan.json')!.toString('utf8')).fingerprint).toBe(run.outputs.fingerprint);
    expect(files.get('plan.txt')!.toString('utf8')).toContain('_mta-sts.example.net.');

    const url = `${RUN_URL}/artifacts/${artifact.id}`;
    const [comment] = github.state.commentsOn(REPO, 2);
    expect(comment.body).toContain(`[plan artifact](${url})`);
    expect(run.summary).toContain(url);
    expect(run.stdout).toContain(`Uploaded the plan as artifact "charter-plan" (id ${artifact.id})`);
    // The example's client secret went into no file of the artifact.
    for (const content of files.values()) expect(content.toString('utf8')).not.toContain(EXAMPLE_SECRETS.AAD_CLIENT_SECRET);
  });

  it('links the artifact from the drift issue', async () => {
    const run = await drift({}, results.env);
    expect(run.code, log(run)).toBe(0);
    expect(results.problems).toEqual([]);
    const [issue] = github.state.repo(REPO).issues.filter((i) => i.labels.includes('charter:drift'));
    expect(issue.body).toContain(`[plan artifact](${RUN_URL}/artifacts/${results.artifacts[0].id})`);
  });

  it('outside a runner (no ACTIONS_RUNTIME_TOKEN): skips the upload with a notice and keeps the old wording', async () => {
    const run = await plan({});
    expect(run.code, log(run)).toBe(0);
    expect(run.stdout).toMatch(/::notice::The plan was not uploaded as a workflow artifact: ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set/);
    expect(results.artifacts).toEqual([]);
    const [comment] = github.state.commentsOn(REPO, 2);
    expect(comment.body).not.toContain('/artifacts/');
    expect(comment.body).toContain(`[workflow run](${RUN_URL})`);
  });

  it('a refused upload is a warning: the plan and its comment go ahead without the link', async () => {
    results.failNextCreate(403, 'permission_denied', 'artifact storage quota has been hit');
    const run = await plan();
    expect(run.code, log(run)).toBe(0);
    expect(run.stdout).toMatch(/::warning::The plan was not uploaded as a workflow artifact: .*quota/);
    expect(results.problems).toEqual([]);
    const [comment] = github.state.commentsOn(REPO, 2);
    expect(comment.body).not.toContain('/artifacts/');
  });

  it('plan-artifact: none uploads nothing, silently', async () => {
    const run = await plan(results.env, { 'plan-artifact': 'none' });
    expect(run.code, log(run)).toBe(0);
    expect(results.artifacts).toEqual([]);
    expect(run.stdout).not.toMatch(/not uploaded as a workflow artifact/);
  });
});

describe('notify-webhook', () => {
  it('apply on merge: one Slack-compatible message with the result and links; the URL is never logged', async () => {
    const reviewed = await plan({});
    expect(reviewed.code, log(reviewed)).toBe(0);
    expect(webhook.received).toEqual([]);
    mergePull(github);
    const applied = await applyOnPush({ 'notify-webhook': webhook.url });
    expect(applied.code, log(applied)).toBe(0);
    expect(webhook.problems).toEqual([]);
    expect(webhook.received).toHaveLength(1);
    const { body, raw } = webhook.received[0];
    expect(body.text).toMatch(new RegExp(`^✅ Charter applied \\d+ change\\(s\\) to ${REPO} from #2$`));
    const context = body.blocks!.find((b) => b.type === 'context')!.elements![0].text;
    expect(context).toContain(`<https://github.com/${REPO}/pull/2|pull request #2>`);
    expect(context).toContain(`<${RUN_URL}|workflow run>`);
    expect(context).toContain(`<${RUN_URL}/artifacts/${results.artifacts[0].id}|full plan>`);
    // The webhook URL is a secret: masked for the runner, and in no output, summary or message.
    expect(applied.stdout).toContain(`::add-mask::${webhook.url}`);
    expect(unmasked(applied, webhook.url)).not.toContain(webhook.secretPath);
    for (const secret of [TOKEN, EXAMPLE_SECRETS.AAD_CLIENT_SECRET, webhook.secretPath]) expect(raw).not.toContain(secret);
    expect(applied.stdout).toContain('Notification sent to the webhook.');
  });

  it('apply refused: the message says why; a plan run on the pull request never notifies', async () => {
    const reviewed = await plan({}, { 'notify-webhook': webhook.url });
    expect(reviewed.code).toBe(0);
    expect(webhook.received).toEqual([]);
    mergePull(github);
    const zone = sandbox.state.route53.hostedZones.find((z) => z.name === 'example.net.')!;
    zone.records.push({ name: '_smtp._tls.example.net.', type: 'TXT', ttl: 300, values: ['"v=TLSRPTv1; rua=mailto:other@example.org"'] });
    const refused = await applyOnPush({ 'notify-webhook': webhook.url }, {});
    expect(refused.code).toBe(1);
    expect(webhook.received).toHaveLength(1);
    expect(webhook.received[0].body.text).toBe(`⛔ Charter refused to apply on ${REPO} from #2`);
    expect(webhook.received[0].body.blocks![0].text!.text).toMatch(/changed since it was reviewed/);
  });

  it('drift: notifies when drift appears and when it is resolved, not when the same drift is found again', async () => {
    const first = await drift({ 'notify-webhook': webhook.url }, {});
    expect(first.code, log(first)).toBe(0);
    expect(webhook.received).toHaveLength(1);
    expect(webhook.received[0].body.text).toMatch(new RegExp(`^⚠️ Charter: drift on ${REPO}: \\d+ difference\\(s\\)`));
    const issue = github.state.repo(REPO).issues.find((i) => i.labels.includes('charter:drift'))!;
    expect(webhook.received[0].body.blocks!.at(-1)!.elements![0].text).toContain(`|drift issue #${issue.number}>`);

    const again = await drift({ 'notify-webhook': webhook.url }, {});
    expect(again.code).toBe(0);
    expect(webhook.received).toHaveLength(1);

    // Converged: the issue is closed and the channel hears that the drift is resolved.
    const report = await apply({ ...sandboxOptions(sandbox, workspace), allowDestructive: true });
    expect(report.ok).toBe(true);
    const clean = await drift({ 'notify-webhook': webhook.url }, {});
    expect(clean.code, log(clean)).toBe(0);
    expect(webhook.received).toHaveLength(2);
    expect(webhook.received[1].body.text).toBe(`✅ Charter: drift resolved on ${REPO}; live AWS matches the policies again`);
    expect(webhook.problems).toEqual([]);
  });

  it('a failing webhook is a warning, never a failed apply (a silent one: __tests__/notify)', async () => {
    const reviewed = await plan({});
    expect(reviewed.code).toBe(0);
    mergePull(github);
    webhook.answer = 500;
    const applied = await applyOnPush({ 'notify-webhook': webhook.url }, {});
    expect(applied.code, log(applied)).toBe(0);
    expect(webhook.received).toHaveLength(1); // one attempt: no retries
    expect(applied.stdout).toMatch(/::warning::Notification not sent: the webhook answered HTTP 500/);
    expect(unmasked(applied, webhook.url)).not.toContain(webhook.secretPath);
  });

  it('refuses a webhook URL that is not https, without showing it', async () => {
    const insecure = 'http://hooks.example.com/services/T000/B000/notsosecret';
    const run = await applyOnPush({ 'notify-webhook': insecure }, {});
    expect(run.code).toBe(1);
    expect(run.outputs['failure-reason']).toMatch(/Input notify-webhook must be an https:\/\/ URL/);
    expect(unmasked(run, insecure)).not.toContain('notsosecret');
  });
});
