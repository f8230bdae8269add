/**
 * PackagePublishing through the bundled CLI as a process (dist/cli.js), against a sandbox account file:
 * the example converges, a replica gap is drift (exit 2) naming the version, and apply repairs it.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bundleNode, repoRoot } from '../helpers/aws.js';

const exec = promisify(execFile);
const cli = join(repoRoot, 'dist/cli.js');
const POLICY = 'policies/examples/package-publishing.yml';

async function charter(args: string[]) {
  try {
    const { stdout, stderr } = await exec(bundleNode, [cli, ...args], { cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface AccountFile {
  codeartifact: { packages: unknown[] };
}

describe('charter CLI: PackagePublishing', () => {
  it('plan → apply → plan is empty; a version missing from a replica is drift (exit 2), and apply copies it byte for byte', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'charter-packages-cli-')), 'account.json');
    copyFileSync(join(repoRoot, 'policies/examples/sandbox-account.json'), state);

    expect((await charter(['validate', POLICY])).code).toBe(0);
    const planned = await charter(['plan', POLICY, '--sandbox', state, '--detailed-exitcode']);
    expect(planned.code, planned.stderr).toBe(2);
    expect(planned.stdout).toContain('packages/python-packages/us-west-2/codebuild/packagePipeline-publish');
    expect(planned.stdout).toContain('CodePipeline packagePipeline (us-east-1)');

    const applied = await charter(['apply', POLICY, '--sandbox', state]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const again = await charter(['plan', POLICY, '--sandbox', state, '--detailed-exitcode']);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/No changes/);

    // The release tooling published agent 1.2.0 to the primary only.
    const account = JSON.parse(readFileSync(state, 'utf8')) as AccountFile;
    account.codeartifact.packages.push({
      region: 'us-east-1',
      domain: 'release-domain',
      repository: 'release-artifacts',
      format: 'generic',
      namespace: 'acme',
      name: 'agent',
      versions: [{ version: '1.2.0', assets: [{ name: 'agent-1.2.0.tar.gz', content: Buffer.from([0, 1, 2, 250, 251]).toString('base64') }] }],
    });
    writeFileSync(state, JSON.stringify(account));
    const drift = await charter(['drift', POLICY, '--sandbox', state, '--format', 'json']);
    expect(drift.code).toBe(2);
    const report = JSON.parse(drift.stdout) as { changes: Array<{ address: string; before: unknown; line: number }> };
    expect(report.changes).toEqual([expect.objectContaining({ address: 'packages/release-artifacts/eu-west-1/versions/acme/agent', before: { missing: ['1.2.0'] } })]);

    const repaired = await charter(['apply', POLICY, '--sandbox', state]);
    expect(repaired.code, repaired.stdout + repaired.stderr).toBe(0);
    expect(repaired.stdout).toContain('1.2.0 (1 asset, SHA-256 verified)');
    const after = JSON.parse(readFileSync(state, 'utf8')) as { codeartifact: { packages: Array<{ region: string; name: string; versions: Array<{ version: string; assets: Array<{ content: string }> }> }> } };
    const replica = after.codeartifact.packages.find((p) => p.region === 'eu-west-1' && p.name === 'agent');
    expect(replica?.versions.map((v) => [v.version, v.assets[0].content])).toEqual([['1.2.0', Buffer.from([0, 1, 2, 250, 251]).toString('base64')]]);
    expect((await charter(['plan', POLICY, '--sandbox', state, '--detailed-exitcode'])).code).toBe(0);
  });
});
