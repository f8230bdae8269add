/**
 * No AWS credentials anywhere: the CLI and the Action say which sources were tried and how to set one up,
 * per kind, instead of the SDK's "Could not load credentials from any providers". The processes get a
 * clean environment (HOME an empty directory, instance metadata disabled), so nothing reaches the network.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.js';
import { bundleNode, copyExamples, EXAMPLE_SECRETS, repoRoot } from '../helpers/aws.js';

const exec = promisify(execFile);

let workspace: string;
let emptyHome: string;
beforeAll(() => {
  workspace = copyExamples();
  emptyHome = mkdtempSync(join(tmpdir(), 'charter-home-'));
});

/** An environment with no AWS credential source at all. */
function noCredentials(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: emptyHome, AWS_EC2_METADATA_DISABLED: 'true', ...EXAMPLE_SECRETS };
}

async function charter(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(bundleNode, [join(repoRoot, 'dist/cli.js'), ...args], { cwd: workspace, env: { ...noCredentials(), ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const RAW = 'Could not load credentials from any providers';

describe('missing AWS credentials', () => {
  it('CLI, EmailSecurity and PackagePublishing: exit 1 naming the sources tried and how to configure one', async () => {
    for (const [file, service] of [
      ['enforce-with-bimi.yml', 'route53'],
      ['package-publishing.yml', 'codeartifact'],
    ]) {
      const run = await charter(['plan', `policies/examples/${file}`]);
      expect(run.code, run.stdout).toBe(1);
      expect(run.stderr).toContain(`No AWS credentials for ${service}`);
      expect(run.stderr).toContain('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
      expect(run.stderr).toContain('profile "default" in ~/.aws/config');
      expect(run.stderr).toContain('EC2 instance metadata (skipped: AWS_EC2_METADATA_DISABLED=true)');
      expect(run.stderr).toContain('Set AWS_PROFILE');
      expect(run.stderr + run.stdout).not.toContain(RAW);
      // No region is blamed for what is missing everywhere.
      expect(run.stdout).not.toContain('packages/region-failed');
    }
  });

  it('CLI, RedshiftGrants (Data API): a credentials diagnostic at the connection, not "check the connection"', async () => {
    const run = await charter(['plan', 'policies/examples/redshift-rbac.yml']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/redshift-rbac\.yml:\d+:\d+ error redshift\/aws-credentials-missing No AWS credentials for redshift-data/);
    expect(run.stdout).toContain('hint: Set AWS_PROFILE');
    expect(run.stdout).not.toMatch(/check the connection/i);
    expect(run.stdout + run.stderr).not.toContain(RAW);
  });

  it('CLI: a named profile that does not exist is said with the profile', async () => {
    const run = await charter(['plan', 'policies/examples/protection-groups.yml'], { AWS_PROFILE: 'ci-readonly' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No AWS credentials for shield');
    expect(run.stderr).toContain('profile "ci-readonly"');
  });

  it('Action: points at aws-actions/configure-aws-credentials and OIDC', async () => {
    const run = await runAction({
      workspace,
      eventName: 'workflow_dispatch',
      event: { inputs: {}, ref: 'refs/heads/main', repository: { full_name: 'acme/infra', default_branch: 'main' } },
      inputs: { mode: 'drift', policies: 'policies/examples/protection-groups.yml', comment: 'false' },
      env: { HOME: emptyHome, AWS_EC2_METADATA_DISABLED: 'true' },
      githubUrl: 'http://127.0.0.1:9',
      awsEndpoint: '',
      repository: 'acme/infra',
      sha: 'a'.repeat(40),
      ref: 'refs/heads/main',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('No AWS credentials for shield');
    expect(run.stdout).toContain('aws-actions/configure-aws-credentials');
    expect(run.stdout).toContain('id-token: write');
    expect(run.stdout).not.toContain(RAW);
    expect(run.outputs['failure-reason']).toContain('No AWS credentials');
  });
});
