/**
 * The bundled CLI converges the BranchPipelines example on a sandbox state file, listing branches from a
 * loopback GitHub with GITHUB_TOKEN and GITHUB_API_URL: plan, apply, re-plan empty; a branch deleted → its
 * pipeline is deleted after the cleanup build.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.js';
import { pipelineName } from '../../src/providers/branches/names.js';
import { bundleNode, repoRoot } from '../helpers/aws.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const exec = promisify(execFile);
const cli = join(repoRoot, 'dist/cli.js');
const EXAMPLE = 'policies/examples/branch-pipelines.yml';
const TOKEN = 'ghp_clitoken000000000000000000000000000';

let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

async function charter(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await exec(bundleNode, [cli, ...args], { cwd: repoRoot, env: { ...process.env, CHARTER_AWS_ENDPOINT: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('charter CLI with BranchPipelines', () => {
  it('plan → apply → plan is empty; a deleted branch\'s pipeline goes after the cleanup build', async () => {
    github = await startFakeGitHub({ token: TOKEN, repos: [{ fullName: 'acme/petstore', defaultBranch: 'main', branches: ['feature/a', 'release/1.0', 'experiment'] }] });
    const state = join(mkdtempSync(join(tmpdir(), 'charter-cli-branches-')), 'account.json');
    writeFileSync(state, JSON.stringify({ codebuild: { projects: [{ region: 'us-east-1', name: 'petstore-destroy', config: { environment: {} }, tags: {} }] } }));
    const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url };
    const run = (...args: string[]) => charter([...args, EXAMPLE, '--sandbox', state], env);

    const first = await run('plan', '--format', 'json', '--detailed-exitcode');
    expect(first.code, first.stderr).toBe(2);
    const plan = JSON.parse(first.stdout) as Plan;
    expect(plan.changes.map((c) => [c.action, c.title])).toEqual(
      ['feature/a', 'main', 'release/1.0'].map((b) => ['create', `Pipeline ${pipelineName('petstore', b)} (branch ${b})`]),
    );
    const applied = await run('apply');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
    const pipelines = () => (JSON.parse(readFileSync(state, 'utf8')) as { codepipeline: { pipelines: Array<{ declaration: { name: string } }> } }).codepipeline.pipelines.map((p) => p.declaration.name).sort();
    expect(pipelines()).toEqual(['feature/a', 'main', 'release/1.0'].map((b) => pipelineName('petstore', b)).sort());

    github.state.repo('acme/petstore').branches = ['main', 'release/1.0', 'experiment'];
    const drift = await run('drift', '--format', 'json');
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain(`Pipeline ${pipelineName('petstore', 'feature/a')} (branch feature/a)`);
    expect((await run('apply')).code).toBe(0);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
    expect(pipelines()).toEqual(['main', 'release/1.0'].map((b) => pipelineName('petstore', b)).sort());
    const builds = (JSON.parse(readFileSync(state, 'utf8')) as { codebuild: { builds: Array<{ projectName: string; environmentVariables: Array<{ name: string; value: string }> }> } }).codebuild.builds;
    expect(builds.map((b) => [b.projectName, b.environmentVariables.find((v) => v.name === 'BRANCH')?.value])).toEqual([['petstore-destroy', 'feature/a']]);
  });

  it('without GITHUB_TOKEN the policy is not planned, with a warning that says how to fix it', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'charter-cli-branches-')), 'account.json');
    writeFileSync(state, '{}');
    const result = await charter(['plan', EXAMPLE, '--sandbox', state], { GITHUB_TOKEN: '' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/branches\/no-github/);
    expect(result.stdout).toContain('GITHUB_TOKEN');
  });
});
