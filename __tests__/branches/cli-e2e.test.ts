/**
 * End to end through the bundled CLI as a process, on a sandbox state file, branches from a loopback
 * GitHub: the example with its build, a test and the cleanup given as buildspec templates and Prod's
 * approval mailed to addresses (a cross-account environment). Plan and apply create Charter's CodeBuild
 * projects, the approval topic with its access policy, and the pipelines; re-plan is empty; an address
 * dropped from the policy is unsubscribed once confirmed; a deleted branch is cleaned up by Charter's
 * cleanup project before its pipeline goes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.js';
import { approvalTopicName, pipelineName } from '../../src/providers/branches/names.js';
import { buildProjectName, cleanupProjectName, testProjectName } from '../../src/providers/branches/projects.js';
import { bundleNode, copyExamples, repoRoot } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { EXAMPLE, writeApprovalEmails, writeBuildspecSteps } from './helpers.js';

const exec = promisify(execFile);
const cli = join(repoRoot, 'dist/cli.js');
const TOKEN = 'ghp_clie2etoken00000000000000000000000';
const TOPIC = approvalTopicName('petstore', 'Prod');

let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

interface State {
  codebuild: { projects: Array<{ name: string; config: { source?: { buildspec?: string } }; tags: Array<{ key: string; value?: string }> }>; builds: Array<{ projectName: string; environmentVariables: Array<{ name: string; value: string }> }> };
  sns: { topics: Array<{ name: string; policy?: string; subscriptions: Array<{ endpoint: string; arn?: string }> }> };
  codepipeline: { pipelines: Array<{ declaration: { name: string } }> };
}

describe('charter CLI: BranchPipelines buildspec projects and approval emails', () => {
  it('converges, unsubscribes a dropped confirmed address, and cleans up a deleted branch with Charter\'s project', async () => {
    github = await startFakeGitHub({ token: TOKEN, repos: [{ fullName: 'acme/petstore', defaultBranch: 'main', branches: ['feature/a'] }] });
    const cwd = copyExamples();
    writeApprovalEmails(cwd, ['ops@example.com', 'lead@example.com']);
    writeBuildspecSteps(cwd);
    const state = join(mkdtempSync(join(tmpdir(), 'charter-cli-e2e-')), 'account.json');
    writeFileSync(state, '{}');
    const read = () => JSON.parse(readFileSync(state, 'utf8')) as State;
    const run = async (...args: string[]) => {
      try {
        const { stdout, stderr } = await exec(bundleNode, [cli, ...args, EXAMPLE, '--sandbox', state], { cwd, env: { ...process.env, CHARTER_AWS_ENDPOINT: '', GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github!.url } });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    };

    const first = await run('plan', '--format', 'json', '--detailed-exitcode');
    expect(first.code, first.stderr).toBe(2);
    const plan = JSON.parse(first.stdout) as Plan;
    expect(plan.changes.map((c) => c.address.split('/')[2]).sort()).toEqual(['approval-topic', 'codebuild', 'codebuild', 'codebuild', 'pipeline', 'pipeline']);
    const applied = await run('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);

    const s = read();
    const projects = new Map(s.codebuild.projects.map((p) => [p.name, p]));
    for (const name of [buildProjectName('petstore'), testProjectName('petstore', 'Beta', 'LoadTests'), cleanupProjectName('petstore')]) {
      expect(projects.get(name)?.tags).toContainEqual({ key: 'charter:policy', value: 'petstore' });
    }
    expect(projects.get(buildProjectName('petstore'))!.config.source!.buildspec).toContain('Building $BRANCH');
    const topic = s.sns.topics.find((t) => t.name === TOPIC)!;
    expect(JSON.parse(topic.policy!).Statement[0]).toMatchObject({ Sid: 'CharterPipelinePublish', Action: 'sns:Publish', Principal: { AWS: ['arn:aws:iam::123456789012:role/petstore-pipeline', 'arn:aws:iam::444444444444:root'] } });
    expect(topic.subscriptions.map((x) => x.endpoint).sort()).toEqual(['lead@example.com', 'ops@example.com']);

    // lead confirms (SNS gives the subscription its ARN), then leaves the policy: unsubscribed.
    const edited = read();
    edited.sns.topics.find((t) => t.name === TOPIC)!.subscriptions.find((x) => x.endpoint === 'lead@example.com')!.arn = `arn:aws:sns:us-east-1:123456789012:${TOPIC}:7f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f`;
    writeFileSync(state, JSON.stringify(edited));
    writeApprovalEmails(cwd, ['ops@example.com']);
    writeBuildspecSteps(cwd);
    const dropped = await run('plan');
    expect(dropped.stdout).toContain('unsubscribe lead@example.com');
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    expect(read().sns.topics.find((t) => t.name === TOPIC)!.subscriptions.map((x) => x.endpoint)).toEqual(['ops@example.com']);

    // The branch goes: Charter's cleanup project runs with BRANCH and STACKS, then the pipeline is deleted.
    github.state.repo('acme/petstore').branches = ['main'];
    const cleaned = await run('apply', '--auto-approve');
    expect(cleaned.code, cleaned.stdout + cleaned.stderr).toBe(0);
    const after = read();
    expect(after.codepipeline.pipelines.map((p) => p.declaration.name)).toEqual([pipelineName('petstore', 'main')]);
    const cleanup = after.codebuild.builds.filter((b) => b.projectName === cleanupProjectName('petstore'));
    expect(cleanup.map((b) => b.environmentVariables.find((v) => v.name === 'BRANCH')?.value)).toEqual(['feature/a']);
    expect(cleanup[0].environmentVariables.find((v) => v.name === 'STACKS')?.value).toContain('|petstore-feature-a-');
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });
});
