/**
 * The bundled Action on `create` and `delete` of a branch (flow 4): BranchPipelines creates or deletes that
 * branch's pipeline with the default branch's policies, read through the API (the checkout is the new
 * branch's), GitHub on a loopback server, AWS on the sandbox.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as cp from '../../src/aws/codepipeline.js';
import { pipelineName } from '../../src/providers/branches/names.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runAction, webhookExample } from '../helpers/action.js';
import { repoRoot } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const REPO = 'Codertocat/Hello-World';
const TOKEN = 'ghs_branchtoken0000000000000000000000';
const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';

let sandbox: Sandbox | undefined;
let github: FakeGitHub | undefined;
afterEach(async () => {
  await sandbox?.close();
  await github?.close();
  sandbox = github = undefined;
});

/** The Alpha/Beta/Gamma/Prod example, for this repository. */
function policy(prefix = 'petstore'): Buffer {
  const text = readFileSync(join(repoRoot, 'policies/examples/branch-pipelines.yml'), 'utf8');
  return Buffer.from(text.replace('repository: acme/petstore', `repository: ${REPO}`).replace('namePrefix: petstore', `namePrefix: ${prefix}`));
}

async function setup(branches: string[], outcomes: Record<string, string[]> = {}) {
  sandbox = await startSandbox({ state: { codebuild: { projects: [{ region: 'us-east-1', name: 'petstore-destroy', config: { environment: {} }, tags: {} }], outcomes } } as never });
  github = await startFakeGitHub({ token: TOKEN, repos: [{ fullName: REPO, defaultBranch: 'master', branches }] });
  github.state.putFiles(REPO, 'master', new Map([['policies/pipelines.yml', policy()]]));
  // The checkout of a `create` run is the new branch: whoever pushed it wrote these files.
  const workspace = mkdtempSync(join(tmpdir(), 'charter-branch-ws-'));
  mkdirSync(join(workspace, 'policies'));
  writeFileSync(join(workspace, 'policies/pipelines.yml'), policy('evil'));
  const client = cp.codePipelineClient({ endpoint: sandbox.endpoint, requestsPerSecond: { codepipeline: 1000 } }, 'us-east-1');
  return { workspace, client, sb: sandbox, gh: github };
}

function branchEvent(name: 'create' | 'delete', ref: string, refType = 'branch'): Record<string, unknown> {
  const event = webhookExample(name);
  event.ref = ref;
  event.ref_type = refType;
  return event;
}

async function run(workspace: string, name: 'create' | 'delete', event: Record<string, unknown>, extra: Record<string, string> = {}) {
  // GITHUB_REF of `create` is the new branch; of `delete`, the default branch.
  const ref = name === 'create' ? `refs/heads/${String(event.ref)}` : 'refs/heads/master';
  return runAction({
    workspace,
    eventName: name,
    event,
    inputs: { 'github-token': TOKEN, policies: 'policies', ...extra },
    githubUrl: github!.url,
    awsEndpoint: sandbox!.endpoint,
    repository: REPO,
    sha: SHA,
    ref,
  });
}

const writes = (sb: Sandbox) => sb.stats.calls().filter((c) => /^(Create|Update|Delete|Tag|Start)/.test(c.operation)).map((c) => c.operation);

describe('the Action on branch events', () => {
  it('create builds the new branch\'s pipeline from the default branch\'s policy; delete runs the cleanup build and deletes it', async () => {
    const branch = 'feature/ü-$(id)';
    // GitHub's listing lags the event: the new branch is not listed yet.
    const { workspace, client, sb, gh } = await setup(['master']);
    const created = await run(workspace, 'create', branchEvent('create', branch));
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(created.stdout).toContain('Charter branch (create)');
    const name = pipelineName('petstore', branch);
    const pipeline = await cp.getPipeline(client, name);
    expect(pipeline?.declaration.stages?.map((s) => s.name)).toEqual(['Source', 'Build', 'Alpha', 'Beta']);
    expect(await cp.listTags(client, pipeline!.arn)).toMatchObject({ 'charter:branch': branch, 'charter:policy': 'petstore' });
    // Only the event's branch: the default branch's missing pipeline waits for the drift check.
    expect(await cp.getPipeline(client, pipelineName('petstore', 'master'))).toBeUndefined();
    expect(created.stdout).toContain('1 change(s) about other branches are left for the drift check');
    // The checkout's (the new branch's) policy is never used.
    expect(JSON.stringify(sb.stats.calls())).not.toContain('evil-');
    expect(created.outputs.create).toBe('1');
    expect(created.summary).toContain(name);
    // GitHub was read only: policies of master, the repository and its branches.
    expect(gh.requests.filter((r) => r.method !== 'GET')).toEqual([]);

    sb.stats.reset();
    const deleted = await run(workspace, 'delete', branchEvent('delete', branch));
    expect(deleted.code, deleted.stdout + deleted.stderr).toBe(0);
    expect(await cp.getPipeline(client, name)).toBeUndefined();
    expect(writes(sb)).toEqual(['StartBuild', 'DeletePipeline']);
    const builds = (sb.state as unknown as { codebuild: { builds: Array<{ environmentVariables: Array<{ name: string; value: string }> }> } }).codebuild.builds;
    expect(builds.at(-1)?.environmentVariables).toContainEqual(expect.objectContaining({ name: 'BRANCH', value: branch }));
    expect(deleted.outputs.delete).toBe('1');
  });

  it('a failing cleanup build keeps the pipeline and fails the run', async () => {
    const { workspace, client, sb } = await setup(['master', 'feature/b'], { 'petstore-destroy': ['FAILED'] });
    expect((await run(workspace, 'create', branchEvent('create', 'feature/b'))).code).toBe(0);
    sb.stats.reset();
    const deleted = await run(workspace, 'delete', branchEvent('delete', 'feature/b'));
    expect(deleted.code).toBe(1);
    expect(deleted.outputs['failure-reason']).toMatch(/Cleanup build .* \(petstore-destroy, BRANCH=feature\/b\) ended FAILED: pipeline petstore-feature-b-[0-9a-f]{8} is kept/);
    expect(await cp.getPipeline(client, pipelineName('petstore', 'feature/b'))).toBeDefined();
    expect(writes(sb)).toEqual(['StartBuild']);
  });

  it('ignores tags and branch names git would refuse, without reading GitHub or AWS', async () => {
    const { workspace, sb, gh } = await setup(['master']);
    for (const [name, ref, type] of [
      ['create', 'v1.0.0', 'tag'],
      ['create', 'a..b', 'branch'],
      ['create', 'x\u0007y', 'branch'],
      ['delete', `feature/${'x'.repeat(2000)}`, 'branch'],
      ['create', '::error::forged', 'branch'],
    ] as const) {
      const result = await run(workspace, name, branchEvent(name, ref, type));
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toContain('Nothing to do:');
      // A refused name is never echoed whole (a workflow command, a control character, 2,000 characters).
      expect(result.stdout).not.toContain('x'.repeat(100));
      expect(result.stdout).not.toMatch(/^::error::forged/m);
    }
    expect(sb.stats.calls()).toEqual([]);
    expect(gh.requests).toEqual([]);
  });

  it('a policy naming another repository lists nothing of it', async () => {
    const { workspace, sb, gh } = await setup(['master']);
    gh.state.addRepo({ fullName: 'acme/secret', defaultBranch: 'main', branches: ['main', 'release/unannounced'] });
    gh.state.putFiles(REPO, 'master', new Map([['policies/pipelines.yml', Buffer.from(policy().toString().replace(`repository: ${REPO}`, 'repository: acme/secret'))]]));
    const result = await run(workspace, 'create', branchEvent('create', 'feature/c'));
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('may list the branches of Codertocat/Hello-World only, not of acme/secret');
    expect(gh.requests.some((r) => r.path.includes('acme/secret'))).toBe(false);
    expect(writes(sb)).toEqual([]);
  });
});
