/**
 * The app on `create` and `delete` of a branch, through the real webhook middleware with signed deliveries
 * (real payloads from @octokit/webhooks-examples): BranchPipelines creates or deletes that branch's
 * pipeline with the default branch's policies; AWS is the sandbox.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as cp from '../../src/aws/codepipeline.js';
import { pipelineName } from '../../src/providers/branches/names.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { repoRoot } from '../helpers/aws.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { branchEvent, postWebhook, REPO, serveApp, sha, sign, startGitHub, testConfig, writes } from './harness.js';

let sandbox: Sandbox;
let github: FakeGitHub;
let server: Awaited<ReturnType<typeof serveApp>> | undefined;

function policy(prefix = 'petstore'): Buffer {
  const text = readFileSync(join(repoRoot, 'policies/examples/branch-pipelines.yml'), 'utf8');
  return Buffer.from(text.replace('repository: acme/petstore', `repository: ${REPO}`).replace('namePrefix: petstore', `namePrefix: ${prefix}`));
}

async function start(outcomes: Record<string, string[]> = {}) {
  sandbox = await startSandbox({ state: { codebuild: { projects: [{ region: 'us-east-1', name: 'petstore-destroy', config: { environment: {} }, tags: {} }], outcomes } } as never });
  server = await serveApp(testConfig(sandbox, { aws: { endpoint: sandbox.endpoint, requestsPerSecond: { codepipeline: 1000, codebuild: 1000 } } }), github);
  return cp.codePipelineClient({ endpoint: sandbox.endpoint, requestsPerSecond: { codepipeline: 1000 } }, 'us-east-1');
}

beforeEach(async () => {
  github = await startGitHub();
  github.state.commit(REPO, sha(1), new Map([['policies/pipelines.yml', policy()]]), 'master');
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await github.close();
  await sandbox?.close();
});

/** Delivers a branch event (acknowledged at once) and waits for its queued work. */
async function deliver(name: 'create' | 'delete', branch: string): Promise<{ status: number; failure?: string }> {
  const response = await postWebhook(server!.url, name, branchEvent(name, branch));
  const failure = await server!.charter.drained().then(
    () => undefined,
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
  return { status: response.status, failure };
}
/** Writes to repositories (an installation token is not one). */
const repoWrites = () => writes(github).filter((r) => !r.path.endsWith('/access_tokens'));
const awsWrites = () => sandbox.stats.calls().filter((c) => /^(Create|Update|Delete|Tag|Start)/.test(c.operation)).map((c) => c.operation);

describe('the GitHub App on branch events', () => {
  it('create builds the branch\'s pipeline from the default branch\'s policies; delete cleans up and deletes it', async () => {
    const client = await start();
    const branch = 'feature/a';
    // The new branch carries its own (rewritten) policy: it is never read.
    github.state.commit(REPO, sha(2), new Map([['policies/pipelines.yml', policy('evil')]]), branch);
    const created = await deliver('create', branch);
    expect(created).toEqual({ status: 200 });
    const name = pipelineName('petstore', branch);
    const pipeline = await cp.getPipeline(client, name);
    expect(pipeline?.declaration.stages?.map((s) => s.name)).toEqual(['Source', 'Build', 'Alpha', 'Beta']);
    expect(await cp.listTags(client, pipeline!.arn)).toMatchObject({ 'charter:branch': branch, 'charter:policy': 'petstore' });
    // The default branch's pipeline is another branch's business: left for the drift check.
    expect(await cp.getPipeline(client, pipelineName('petstore', 'master'))).toBeUndefined();
    expect(JSON.stringify(sandbox.stats.calls())).not.toContain('evil');
    expect(github.requests.filter((r) => r.path.includes('/git/trees/')).map((r) => r.path)).toEqual([`/repos/${REPO}/git/trees/master`]);
    expect(repoWrites()).toEqual([]);

    github.state.deleteBranch(REPO, branch);
    sandbox.stats.reset();
    const deleted = await deliver('delete', branch);
    expect(deleted).toEqual({ status: 200 });
    expect(await cp.getPipeline(client, name)).toBeUndefined();
    expect(awsWrites()).toEqual(['StartBuild', 'DeletePipeline']);
  });

  it('a failing cleanup build keeps the pipeline and fails the queued job', async () => {
    const client = await start({ 'petstore-destroy': ['FAILED'] });
    github.state.setBranch(REPO, 'feature/b', sha(1));
    expect((await deliver('create', 'feature/b')).status).toBe(200);
    github.state.deleteBranch(REPO, 'feature/b');
    const deleted = await deliver('delete', 'feature/b');
    // Acknowledged at once; the work fails after (logged as an error).
    expect(deleted.status).toBe(200);
    expect(deleted.failure).toMatch(/Cleanup build .* ended FAILED: pipeline petstore-feature-b-[0-9a-f]{8} is kept/);
    expect(await cp.getPipeline(client, pipelineName('petstore', 'feature/b'))).toBeDefined();
  });

  it('forged deliveries, tags and names git refuses change nothing', async () => {
    await start();
    const payload = branchEvent('create', 'feature/forged');
    const forged = await postWebhook(server!.url, 'create', payload, sign(JSON.stringify(payload), 'not-the-secret'));
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeLessThan(500);
    const tag = branchEvent('create', 'v1.0.0');
    tag.ref_type = 'tag';
    expect((await postWebhook(server!.url, 'create', tag)).status).toBe(200);
    for (const name of ['a..b', 'bad\u0000name', '-rf', `x/${'y'.repeat(5000)}`, 'refs/heads/../../x']) {
      expect((await deliver('create', name)).status).toBe(200);
    }
    expect(github.requests).toEqual([]);
    expect(sandbox.stats.calls()).toEqual([]);
  });

  it('a repository without BranchPipelines policies: a branch event writes nothing anywhere', async () => {
    github.state.commit(REPO, sha(3), new Map([['README.md', Buffer.from('hi\n')]]), 'master');
    await start();
    expect((await deliver('create', 'feature/x')).status).toBe(200);
    expect((await deliver('delete', 'feature/x')).status).toBe(200);
    expect(repoWrites()).toEqual([]);
    expect(sandbox.stats.calls()).toEqual([]);
  });
});
