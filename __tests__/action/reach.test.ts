/**
 * The trust model's "what a policy can reach", attacked through the bundled Action as a process: a pull
 * request naming variables, targets or accounts the workflow did not allow is refused with a positioned
 * error and nothing is read; masking is only for allowlisted, non-trivial values; forks plan offline.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { stsSessions } from '../../src/sandbox/services/sts.js';
import { pullTouchesWorkspace, runAction, webhookExample } from '../helpers/action.js';
import { copyExamples, EXAMPLE_SECRETS, startExampleSandbox } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const REPO = 'Codertocat/Hello-World';
const TOKEN = 'ghs_testtoken000000000000000000000000';
const HEAD_SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const ALLOW = 'env: [AAD_CLIENT_SECRET]\nredshift: { clusters: [examplecluster], dbUsers: [awsuser] }';
const RBAC = 'policies/examples/redshift-rbac.yml';

let sandbox: Sandbox;
let github: FakeGitHub;
let workspace: string;

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  workspace = copyExamples();
  github = await startFakeGitHub({ token: TOKEN, repos: [{ fullName: REPO, defaultBranch: 'master', pulls: [{ number: 2, headSha: HEAD_SHA, labels: [] }] }] });
});
afterEach(async () => {
  await sandbox.close();
  await github.close();
});

function pullRequestEvent(fromFork = false): Record<string, unknown> {
  const event = webhookExample('pull_request', (e) => e.action === 'opened');
  const pr = event.pull_request as Record<string, Record<string, unknown>>;
  (pr as Record<string, unknown>).number = 2;
  pr.head.sha = HEAD_SHA;
  (pr as Record<string, unknown>).labels = [];
  if (fromFork) pr.head.repo = { ...(pr.head.repo as object), full_name: 'mallory/Hello-World' };
  event.number = 2;
  return event;
}

function edit(file: string, from: string, to: string): void {
  const path = join(workspace, file);
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

function plan(options: { allow?: string; env?: Record<string, string>; fork?: boolean; policies?: string } = {}) {
  pullTouchesWorkspace(github, workspace);
  return runAction({
    workspace,
    githubUrl: github.url,
    awsEndpoint: sandbox.endpoint,
    repository: REPO,
    eventName: 'pull_request',
    event: pullRequestEvent(options.fork),
    inputs: { 'github-token': TOKEN, policies: options.policies ?? 'policies/examples', allow: options.allow ?? ALLOW },
    sha: HEAD_SHA,
    ref: 'refs/pull/2/merge',
    env: options.env,
  });
}

describe('what a policy can reach (the Action)', () => {
  it('a pull request naming another team\'s variable is refused at its line, and nothing is read or masked', async () => {
    const other = 'postgres://warehouse_admin:other-team-password-91@10.0.0.9:5432/warehouse';
    edit(RBAC, 'clientSecretFromEnv: AAD_CLIENT_SECRET', 'clientSecretFromEnv: OTHER_TEAM_WAREHOUSE_URL');
    const line = readFileSync(join(workspace, RBAC), 'utf8').split('\n').findIndex((l) => l.includes('clientSecretFromEnv: OTHER_TEAM_WAREHOUSE_URL')) + 1;
    const run = await plan({ env: { OTHER_TEAM_WAREHOUSE_URL: other } });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(new RegExp(`::error title=[^\\n]*reach/env-not-allowed[^\\n]*,file=policies/examples/redshift-rbac\\.yml,line=${line},col=28::Environment variable "OTHER_TEAM_WAREHOUSE_URL" is not on this repository's allowlist`));
    expect(run.summary).toContain('reach/env-not-allowed');
    // Nothing was read: not one AWS call, for any policy of the run.
    expect(sandbox.stats.count()).toBe(0);
    expect(run.stdout + run.stderr + run.summary).not.toContain('other-team-password-91');
    expect(run.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain('add-mask');
  });

  it('a Data API target or database user the workflow did not allow is refused before any AWS call', async () => {
    edit(RBAC, 'dbUser: awsuser', 'dbUser: rdsdb');
    edit(RBAC, 'clusterIdentifier: examplecluster', 'clusterIdentifier: finance-cluster');
    const run = await plan();
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/reach\/redshift-target-not-allowed[^\n]*line=16,col=26::Redshift cluster "finance-cluster"/);
    expect(run.stdout).toMatch(/reach\/redshift-db-user-not-allowed[^\n]*line=18,col=15::Database user "rdsdb"/);
    expect(sandbox.stats.count()).toBe(0);
  });

  it('masking is no weapon: a variable holding "true" is not masked, an allowlisted secret is', async () => {
    edit(RBAC, 'clientSecretFromEnv: AAD_CLIENT_SECRET', 'clientSecretFromEnv: CI');
    const run = await plan({ allow: 'env: [CI]\nredshift: { clusters: [examplecluster], dbUsers: [awsuser] }', env: { CI: 'true' } });
    expect(run.stdout).not.toContain('::add-mask::true');
    expect(run.stdout).not.toMatch(/::add-mask::(?!ghs_)/);
    edit(RBAC, 'clientSecretFromEnv: CI', 'clientSecretFromEnv: AAD_CLIENT_SECRET');
    const allowed = await plan({ policies: RBAC });
    expect(allowed.stdout).toContain(`::add-mask::${EXAMPLE_SECRETS.AAD_CLIENT_SECRET}`);
  });

  it('a pull request from a fork is validated offline: no AWS call, no secret, and the plan says live state was not read', async () => {
    const run = await plan({ fork: true });
    expect(run.code, run.stdout).toBe(0);
    expect(sandbox.stats.count()).toBe(0);
    expect(run.stdout).not.toContain(`::add-mask::${EXAMPLE_SECRETS.AAD_CLIENT_SECRET}`);
    expect(run.summary).toContain('reach/live-state-not-read');
    expect(run.summary).toContain('comes from a fork');
    const plan0 = JSON.parse(readFileSync(run.outputs['plan-file'], 'utf8')) as { offline?: string; changes: unknown[] };
    expect(plan0.offline).toMatch(/fork/);
    expect(plan0.changes).toEqual([]);
  });

  it('an account role: only from the allowlist, assumed through STS for that policy, and shown on each change', async () => {
    edit('policies/examples/testing-mode.yml', 'metadata:\n', 'metadata:\n  account: prod\n');
    const refused = await plan({ policies: 'policies/examples/testing-mode.yml' });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(/reach\/account-not-allowed[^\n]*file=policies\/examples\/testing-mode\.yml,line=\d+,col=\d+::Account "prod"/);
    expect(sandbox.stats.count()).toBe(0);

    const role = 'arn:aws:iam::222222222222:role/charter-prod';
    const run = await plan({ policies: 'policies/examples/testing-mode.yml', allow: `accounts: { prod: "${role}" }` });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(stsSessions(sandbox.state).map((s) => [s.roleArn, s.sessionName])).toEqual([[role, 'charter@Codertocat+Hello-World']]);
    const p = JSON.parse(readFileSync(run.outputs['plan-file'], 'utf8')) as { changes: Array<{ account?: string }> };
    expect(p.changes.length).toBeGreaterThan(0);
    expect(p.changes.every((c) => c.account === 'prod')).toBe(true);
    expect(run.stdout).toMatch(/in account prod/);
    expect(github.state.commentsOn(REPO, 2)[0].body).toContain('account `prod`');
  });
});
