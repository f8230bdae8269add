/**
 * The app under test: a real Probot with Charter loaded, AWS on the sandbox over loopback, real webhook
 * payloads. GitHub is the loopback fake the Action's tests use (helpers/fake-github.ts, contract-checked
 * against @octokit/openapi), which Probot reaches through its GitHub Enterprise setting (`startGitHub`,
 * `loadApp(config, github)`). The load test and bench use a hand-written mock (github-mock.ts) served on loopback
 * instead: they measure the app's throughput and spacing, and the fake's per-request contract validation would
 * be charged to the app. Every webhook payload
 * delivered here is checked against GitHub's webhook description (helpers/webhook-contract.ts): a payload
 * GitHub would not send fails the test that sent it. Probot's throttling is on as in production, with
 * Charter's per-installation limiters at a short spacing (TEST_THROTTLE) so tests see the real ordering
 * quickly; retries are off (a mocked failure is meant to fail).
 */
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createNodeMiddleware, Probot, ProbotOctokit } from 'probot';
import { createCharterApp, type CharterApp } from '../../src/app/app.js';
import type { AppConfig } from '../../src/app/config.js';
import { emptyReachConfig } from '../../src/core/reach.js';
import { secretDigestKey } from '../../src/core/plan-meta.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { webhookExample } from '../helpers/action.js';
import { type FakeApp, type FakeCheckRun, type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { recordViolation } from '../helpers/github-contract.js';
import { checkWebhook } from '../helpers/webhook-contract.js';
import { APP_SLUG, filesFrom, GitHubMock } from './github-mock.js';

export const REPO = 'Codertocat/Hello-World';
export const INSTALLATION = 1;
export const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';
export const DRIFT_TOKEN = 'drift-token-for-tests-0123456789';
export const PLAN_SIGNING_KEY = 'plan-signing-key-for-tests-0123456789abcdef';
export const BASE_SHA = 'b'.repeat(40);
export const TEST_ROLE = 'arn:aws:iam::123456789012:role/charter-hello-world';
export const { privateKey: PRIVATE_KEY } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

/** The EmailSecurity examples, as this test's own fixtures, at `policies/` in the repository. */
export function fixturePolicies(): Map<string, Buffer> {
  return filesFrom(join(import.meta.dirname, 'fixtures/policies'), 'policies');
}

export function sha(n: number): string {
  return n.toString(16).padStart(40, 'a');
}

/** Production's spacing (1 s between writes per token, 3 s between comments per repository) scaled down 50×. */
export const TEST_THROTTLE = { writeMs: 20, notifyMs: 60 };

export function testConfig(sandbox: Sandbox, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    policyPaths: ['policies'],
    aws: { endpoint: sandbox.endpoint, requestsPerSecond: { route53: 1000, acm: 1000, cloudfront: 1000, s3: 1000 } },
    allowDestructive: false,
    allowApplyBeforeMerge: false,
    drift: { timezone: 'UTC', path: '/charter/drift', concurrency: 2, token: DRIFT_TOKEN },
    secrets: [WEBHOOK_SECRET, DRIFT_TOKEN, PRIVATE_KEY, PLAN_SIGNING_KEY],
    // The test repository's own role (assumed on the sandbox's STS); nothing else is allowed.
    reach: { [REPO.toLowerCase()]: { ...emptyReachConfig(), roleArn: TEST_ROLE } },
    planSigningKey: PLAN_SIGNING_KEY,
    secretHashKey: secretDigestKey(PLAN_SIGNING_KEY),
    throttle: TEST_THROTTLE,
    work: { concurrency: 2, maxQueued: 1000 },
    ...overrides,
  };
}

/** Probot's client as the tests use it: retries off, so an injected 5xx fails at once. */
const NO_RETRY_OCTOKIT = ProbotOctokit.defaults({ retry: { enabled: false } });

/** The app as GitHub knows it (GET /app): Probot's `appId` and the bot login `charter-app[bot]`. */
export const APP: FakeApp = { id: 1, slug: APP_SLUG, name: 'Charter', owner: 'Codertocat' };
/** The login the app writes as. */
export const BOT = `${APP.slug}[bot]`;

/**
 * Probot's GitHub Enterprise Server setting for a GitHub at `url`: what `GHE_HOST` (and `GHE_PROTOCOL`) make
 * of it in Probot (lib/bin/read-env-options.js), REST under /api/v3.
 */
export function enterpriseBaseUrl(url: string): string {
  const { protocol, host } = new URL(url);
  return `${protocol.replace(/:$/, '')}://${host}/api/v3`;
}

/** Records what GitHub's webhook description refuses in a delivered payload (contract-setup.ts fails the test). */
export function checkDelivered(name: string, payload: unknown): void {
  for (const problem of checkWebhook(name, payload as { action?: unknown })) recordViolation({ request: `webhook ${name}`, problem });
}

/**
 * Where Probot's clients go: the loopback fake (`url`, served under GHES's /api/v3), or a REST base URL as it
 * is (`baseUrl`: the load test's and bench's `GitHubMock.listen`).
 */
export type GitHubTarget = Pick<FakeGitHub, 'url'> | { baseUrl: string };

/** Probot as production runs it, its clients pointed at `github`. */
export function newProbot(redisConfig?: string, github?: GitHubTarget, Octokit: typeof ProbotOctokit = NO_RETRY_OCTOKIT): Probot {
  const probot = new Probot({
    ...(redisConfig ? { redisConfig } : {}),
    ...(github ? { baseUrl: 'baseUrl' in github ? github.baseUrl : enterpriseBaseUrl(github.url) } : {}),
    appId: APP.id,
    privateKey: PRIVATE_KEY,
    secret: WEBHOOK_SECRET,
    logLevel: 'fatal',
    Octokit,
  });
  const receive = probot.receive.bind(probot);
  probot.receive = (event) => {
    checkDelivered(event.name, event.payload);
    return receive(event);
  };
  return probot;
}

/**
 * GitHub on the loopback fake: the app installed (installation 1) on Codertocat/Hello-World, whose default
 * branch `master` is at BASE_SHA; Codertocat is an admin, `reader` may read.
 */
export async function startGitHub(): Promise<FakeGitHub> {
  const github = await startFakeGitHub({
    app: APP,
    installations: { [INSTALLATION]: 'Codertocat' },
    repos: [{ fullName: REPO, defaultBranch: 'master', installation: INSTALLATION }],
  });
  const repo = github.state.repo(REPO);
  repo.permissions.set('Codertocat', 'admin');
  repo.permissions.set('reader', 'read');
  github.state.commit(REPO, BASE_SHA, new Map([['README.md', Buffer.from('hello\n')]]), 'master');
  return github;
}

/**
 * The hand-written mock (github-mock.ts) with the same installation and repository as `startGitHub`, for the
 * load test and bench only; serve it with `listen()` and give Probot `{ baseUrl }`.
 */
export function mockGitHub(): GitHubMock {
  const mock = new GitHubMock();
  mock.addInstallation(INSTALLATION, 'Codertocat');
  const repo = mock.addRepo(REPO, INSTALLATION, 'master');
  repo.permissions.set('Codertocat', 'admin');
  repo.permissions.set('reader', 'read');
  mock.commit(REPO, BASE_SHA, new Map([['README.md', Buffer.from('hello\n')]]), 'master');
  return mock;
}

/** Probot with Charter loaded through `probot.load` (events go in with `probot.receive`). */
export async function loadApp(config: AppConfig, github?: GitHubTarget, Octokit?: typeof ProbotOctokit): Promise<{ probot: Probot; charter: CharterApp }> {
  // With REDIS_URL Probot's throttling shares its limits through Redis, as in production.
  const probot = newProbot(config.redisUrl, github, Octokit);
  let charter: CharterApp | undefined;
  await probot.load(createCharterApp({ ...config, drift: { ...config.drift, token: undefined } }, (c) => (charter = c)));
  if (!charter) throw new Error('app not loaded');
  return { probot, charter };
}

/** The real webhook middleware on a loopback port. */
export async function serveApp(config: AppConfig, github?: GitHubTarget): Promise<{ url: string; charter: CharterApp; close(): Promise<void> }> {
  const probot = newProbot(config.redisUrl, github);
  let charter: CharterApp | undefined;
  const middleware = await createNodeMiddleware(createCharterApp(config, (c) => (charter = c)), { probot });
  const server: Server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    charter: charter as CharterApp,
    close: async () => {
      await charter?.stop();
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      });
    },
  };
}

export function sign(body: string, secret = WEBHOOK_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function postWebhook(url: string, name: string, payload: unknown, signature?: string): Promise<Response> {
  const body = JSON.stringify(payload);
  checkDelivered(name, payload);
  return fetch(`${url}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': name,
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': signature ?? sign(body),
    },
    body,
  });
}

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function withInstallation(event: Payload, installation = INSTALLATION): Payload {
  event.installation = { id: installation, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${installation}` };
  return event;
}

export function pullRequestEvent(action: string, pr: { number: number; headSha: string; labels?: string[] }): Payload {
  const event = webhookExample('pull_request', (e) => e.action === action) as Payload;
  event.number = pr.number;
  Object.assign(event.pull_request, { number: pr.number, state: 'open', merged: false, merged_at: null });
  event.pull_request.head.sha = pr.headSha;
  event.pull_request.labels = (pr.labels ?? []).map((name, i) => ({
    id: i + 1,
    node_id: `L${i}`,
    url: `https://api.github.com/repos/${REPO}/labels/${encodeURIComponent(name)}`,
    name,
    color: 'ededed',
    default: false,
    description: null,
  }));
  if (action === 'labeled' || action === 'unlabeled') event.label = event.pull_request.labels[0] ?? { name: 'other' };
  return withInstallation(event);
}

export function pushEvent(after: string, ref = 'refs/heads/master'): Payload {
  const event = webhookExample('push', (e) => e.ref === 'refs/heads/master') as Payload;
  event.ref = ref;
  event.after = after;
  event.deleted = false;
  return withInstallation(event);
}

export function commentEvent(body: string, opts: { number: number; login?: string; type?: 'User' | 'Bot'; onPullRequest?: boolean }): Payload {
  const event = webhookExample('issue_comment', (e) => e.action === 'created') as Payload;
  event.issue.number = opts.number;
  if (opts.onPullRequest !== false) {
    const html = `https://github.com/${REPO}/pull/${opts.number}`;
    event.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${opts.number}`, html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch` };
  }
  // Fields GitHub sends today that the (older) example lacks.
  const reactions = (url: string) => ({ url: `${url}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 });
  event.issue.active_lock_reason = null;
  event.issue.reactions = reactions(event.issue.url);
  for (const label of event.issue.labels ?? []) label.description ??= null;
  event.comment.performed_via_github_app = null;
  event.comment.reactions = reactions(event.comment.url);
  event.comment.body = body;
  event.comment.user.login = opts.login ?? 'Codertocat';
  event.comment.user.type = opts.type ?? 'User';
  event.sender.login = opts.login ?? 'Codertocat';
  event.sender.type = opts.type ?? 'User';
  return withInstallation(event);
}

export function branchEvent(name: 'create' | 'delete', branch: string): Payload {
  const event = webhookExample(name) as Payload;
  event.ref = branch;
  event.ref_type = 'branch';
  return withInstallation(event);
}

/** The check runs of a repository on the fake (with `name`, only those). */
export function checkRuns(github: FakeGitHub, name?: string, fullName = REPO): FakeCheckRun[] {
  return github.state.repo(fullName).checkRuns.filter((r) => !name || r.name === name);
}

/** Every request the fake received that was not a read. */
export function writes(github: FakeGitHub): FakeGitHub['requests'] {
  return github.requests.filter((r) => r.method !== 'GET');
}
