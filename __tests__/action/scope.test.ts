/**
 * Scope (issue 15, item 9), the Action run as the runner runs it: a pull request's plan covers only the
 * policies whose files it changed (GitHub's paginated list of its files), the comment says what was left
 * out, and the merge applies exactly that plan: unrelated drift is neither shown nor applied.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { mergePull, pullRequestEvent, pushEvent, runAction, TEST_PULL } from '../helpers/action.js';
import { copyExamples, startExampleSandbox } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub, type SeedPull } from '../helpers/fake-github.js';

const { repository: REPO, headSha: HEAD_SHA, mergeSha: MERGE_SHA } = TEST_PULL;
const TOKEN = 'ghs_testtoken000000000000000000000000';
const ALLOW = 'env: [AAD_CLIENT_SECRET]\nredshift: { clusters: [examplecluster], dbUsers: [awsuser] }';

let sandbox: Sandbox;
let github: FakeGitHub;
let workspace: string;

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  workspace = copyExamples();
});
afterEach(async () => {
  await sandbox.close();
  await github.close();
});

async function withPull(files: SeedPull['files']) {
  github = await startFakeGitHub({ token: TOKEN, repos: [{ fullName: REPO, defaultBranch: 'master', pulls: [{ number: 2, headSha: HEAD_SHA, labels: ['charter:allow-destructive'], files }] }] });
}

const common = (extra: Record<string, string> = {}) => ({
  workspace,
  githubUrl: github.url,
  awsEndpoint: sandbox.endpoint,
  repository: REPO,
  inputs: { 'github-token': TOKEN, policies: 'policies/examples', allow: ALLOW, ...extra },
});
const plan = (extra: Record<string, string> = {}) => runAction({ ...common(extra), eventName: 'pull_request', event: pullRequestEvent(), sha: HEAD_SHA, ref: 'refs/pull/2/merge' });
const planFile = (run: { outputs: Record<string, string> }) => JSON.parse(readFileSync(run.outputs['plan-file'], 'utf8')) as Plan;
const records = (zone: string) => sandbox.state.route53.hostedZones.find((z) => z.name === zone)!.records.map((r) => r.name);

describe('the Action: scope', () => {
  it('a pull request changing one policy plans only it, says what was left out, and its merge applies only it', async () => {
    // 120 files, over two pages of GitHub's list; one of them is a policy.
    await withPull([...Array.from({ length: 120 }, (_, i) => `docs/page-${i}.md`), { filename: 'policies/examples/testing-mode.yml', status: 'modified' }]);
    const planned = await plan();
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    const p = planFile(planned);
    expect(p.policies).toEqual(['EmailSecurity/example-net']);
    expect(p.scope?.mode).toBe('changed');
    expect(p.scope?.skipped).toContain('EmailSecurity/brand-example-com');
    expect(p.changes.every((c) => c.address.startsWith('email/example-net/'))).toBe(true);
    const comment = github.state.commentsOn(REPO, 2)[0].body;
    expect(comment).toContain(`Scope: the policies this pull request changed (1 policy); ${p.scope!.skipped.length} policies left out, not planned and not applied on merge: `);
    expect(comment).toContain('EmailSecurity/brand-example-com');
    expect(github.requests.filter((r) => r.path.includes('/pulls/2/files')).length).toBe(2);

    mergePull(github);
    const applied = await runAction({ ...common(), eventName: 'push', event: pushEvent(), sha: MERGE_SHA, ref: 'refs/heads/master' });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.outputs.fingerprint).toBe(planned.outputs.fingerprint);
    expect(records('example.net.')).toContain('_mta-sts.example.net.');
    // The other policies' drift was not reviewed here and is not applied.
    expect(records('example.com.')).not.toContain('_mta-sts.brand.example.com.');
  });

  it('a changed asset a policy names brings that policy into scope', async () => {
    await withPull([{ filename: 'policies/examples/assets/logo.svg', status: 'modified' }]);
    const planned = await plan();
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    expect(planFile(planned).policies).toEqual(['EmailSecurity/brand-example-com']);
  });

  it('scope: all plans every policy, as before', async () => {
    await withPull(['README.md']);
    const planned = await plan({ scope: 'all' });
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    const p = planFile(planned);
    expect(p.scope).toBeUndefined();
    expect(p.policies).toContain('EmailSecurity/brand-example-com');
    expect(p.policies).toContain('EmailSecurity/example-net');
    expect(github.requests.filter((r) => r.path.includes('/files'))).toEqual([]);
    expect((await plan({ scope: 'some' })).outputs['failure-reason']).toContain('Input scope must be changed or all, got "some"');
  });
});
