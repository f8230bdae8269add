/**
 * BranchPipelines benchmark (issue floor): a repository with 300 matching branches and their 300 pipelines,
 * 5 of them drifted (2 pipelines edited by hand, 2 orphans whose branch is gone, 1 new branch without a
 * pipeline). One plan's GitHub and AWS calls, by operation, and its wall time with 50 ms latency per AWS
 * call at CodePipeline's default rate (5 requests/second) against the bound that rate sets.
 *
 * Floors: the branch listing at 100 per page (plus one repository read for the default branch); at most
 * one read of each managed pipeline (ListTagsForResource; GetPipeline only for the edited ones), no other
 * per-pipeline call; wall time within 2× of the rate-limit bound.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsRuntime } from '../../src/aws/settings.js';
import * as cp from '../../src/aws/codepipeline.js';
import { apply, plan, type PlanOptions } from '../../src/core/engine.js';
import { createGitHub } from '../../src/github/client.js';
import { githubBranchSource } from '../../src/github/branches.js';
import { pipelineName } from '../../src/providers/branches/names.js';
import { providers } from '../../src/providers/index.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { startFakeGitHub } from '../../__tests__/helpers/fake-github.js';

const BRANCHES = 300;
const RATE = 5;
const LATENCY_MS = 50;
const REPO = 'acme/petstore';
const quiet = { debug() {}, info() {}, warn() {} };

const POLICY = `apiVersion: charter/v1
kind: BranchPipelines
metadata:
  name: bench
spec:
  repository: ${REPO}
  connectionArn: arn:aws:codestar-connections:us-east-1:123456789012:connection/4c7d1f2e-9a3b-4e5f-8a6b-1c2d3e4f5a6b
  region: us-east-1
  roleArn: arn:aws:iam::123456789012:role/petstore-pipeline
  artifactStores:
    us-east-1: { bucket: petstore-artifacts-123456789012 }
  namePrefix: bench
  stages:
    build: { project: petstore-build }
    environments:
      - name: Alpha
        account: '123456789012'
        deploy: { roleArn: 'arn:aws:iam::123456789012:role/Deployer', stackName: 'petstore-{branch}-alpha' }
        tests: [{ name: ApiTests, project: petstore-api-tests }]
      - name: Prod
        account: '123456789012'
        branches: default
        approval: { topicArn: 'arn:aws:sns:us-east-1:123456789012:approvals' }
        deploy: { roleArn: 'arn:aws:iam::123456789012:role/Deployer', stackName: petstore-prod }
`;

export interface BranchesBench {
  branches: number;
  pipelines: number;
  drifted: number;
  changes: Record<string, number>;
  github: { calls: Record<string, number>; total: number; floor: number };
  aws: { calls: Record<string, number>; total: number; perPipelineCalls: number; managedPipelines: number; getPipeline: number };
  wallMs: number;
  rateLimitBoundMs: number;
  ratio: number;
  ok: boolean;
}

export async function benchBranches(): Promise<BranchesBench> {
  const branches = Array.from({ length: BRANCHES - 1 }, (_, i) => `feature/ticket-${String(i).padStart(4, '0')}`);
  const github = await startFakeGitHub({ token: 'bench', repos: [{ fullName: REPO, defaultBranch: 'main', branches }] });
  const sandbox = await startSandbox({ state: { codebuild: { projects: [{ region: 'us-east-1', name: 'petstore-destroy', config: { environment: {} }, tags: {} }] } } as never });
  try {
    const cwd = mkdtempSync(join(tmpdir(), 'charter-bench-branches-'));
    writeFileSync(join(cwd, 'pipelines.yml'), POLICY);
    const octokit = createGitHub({ token: 'bench', baseUrl: github.url });
    const options = (rate: number): PlanOptions => ({
      cwd,
      paths: ['pipelines.yml'],
      providers,
      salt: {},
      runtime: { ...awsRuntime({ endpoint: sandbox.endpoint, requestsPerSecond: { codepipeline: rate, codebuild: rate } }, quiet), branches: githubBranchSource(octokit) },
    });
    // Set-up at full speed: 300 pipelines, then 5 drifted.
    const setup = await apply({ ...options(10_000), allowDestructive: false });
    if (!setup.ok) throw new Error(`bench set-up failed: ${JSON.stringify(setup.results.find((r) => r.status === 'failed'))}`);
    const client = cp.codePipelineClient({ endpoint: sandbox.endpoint, requestsPerSecond: { codepipeline: 10_000 } }, 'us-east-1');
    for (const b of branches.slice(0, 2)) {
      const live = (await cp.getPipeline(client, pipelineName('bench', b)))!;
      live.declaration.stages![2].actions![0].configuration!.StackName = 'edited-by-hand';
      await cp.updatePipeline(client, live.declaration);
    }
    const repo = github.state.repo(REPO);
    repo.branches = repo.branches.filter((b) => b !== branches[2] && b !== branches[3]);
    repo.branches.push('feature/ticket-new');

    sandbox.stats.reset();
    github.requests.length = 0;
    sandbox.faults.latency(LATENCY_MS);
    const started = performance.now();
    const { plan: p } = await plan(options(RATE));
    const wallMs = Math.round(performance.now() - started);
    if (p.summary.errors) throw new Error(JSON.stringify(p.diagnostics.slice(0, 3)));

    const awsCalls = Object.fromEntries(sandbox.stats.calls().map((c) => [c.operation, c.count]));
    const awsTotal = Object.values(awsCalls).reduce((a, b) => a + b, 0);
    const githubCalls: Record<string, number> = {};
    for (const r of github.requests) {
      const key = `${r.method} ${r.path.replace(/^\/repos\/[^/]+\/[^/]+/, '/repos/{owner}/{repo}')}`;
      githubCalls[key] = (githubCalls[key] ?? 0) + 1;
    }
    const githubFloor = 1 + Math.ceil((BRANCHES + 1 - 2) / 100);
    const managed = BRANCHES;
    // Per-region calls: ListPipelines, the approval topics' ListTopics and Charter's CodeBuild projects' ListProjects (one each).
    const perPipeline = awsTotal - (awsCalls.ListPipelines ?? 0) - (awsCalls.ListTopics ?? 0) - (awsCalls.ListProjects ?? 0);
    // The limiter lets the first request through at once and spaces the rest 1/RATE s apart.
    const rateLimitBoundMs = Math.round(((awsTotal - 1) / RATE) * 1000 + LATENCY_MS);
    const changes: Record<string, number> = {};
    for (const c of p.changes) changes[`${c.action}/${c.risk}`] = (changes[`${c.action}/${c.risk}`] ?? 0) + 1;
    const ok =
      github.requests.length <= githubFloor &&
      (awsCalls.ListTagsForResource ?? 0) <= managed &&
      (awsCalls.GetPipeline ?? 0) <= 2 &&
      (awsCalls.ListTopics ?? 0) <= 1 &&
      (awsCalls.ListProjects ?? 0) <= 1 &&
      perPipeline === (awsCalls.ListTagsForResource ?? 0) + (awsCalls.GetPipeline ?? 0) &&
      p.changes.length === 5 &&
      wallMs <= 2 * rateLimitBoundMs;
    return {
      branches: BRANCHES,
      pipelines: managed,
      drifted: 5,
      changes,
      github: { calls: githubCalls, total: github.requests.length, floor: githubFloor },
      aws: { calls: awsCalls, total: awsTotal, perPipelineCalls: perPipeline, managedPipelines: managed, getPipeline: awsCalls.GetPipeline ?? 0 },
      wallMs,
      rateLimitBoundMs,
      ratio: Number((wallMs / rateLimitBoundMs).toFixed(2)),
      ok,
    };
  } finally {
    await sandbox.close();
    await github.close();
  }
}
