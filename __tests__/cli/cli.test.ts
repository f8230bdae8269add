import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { bundleNode, copyExamples, EXAMPLE_SECRETS, repoRoot, startExampleSandbox } from '../helpers/aws.js';

const exec = promisify(execFile);
const cli = join(repoRoot, 'dist/cli.js');

/** Runs the bundled CLI as a user would; resolves with the exit code instead of throwing. */
async function charter(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  try {
    const { stdout, stderr } = await exec(bundleNode, [cli, ...args], { cwd: opts.cwd ?? repoRoot, env: { ...process.env, GITHUB_TOKEN: '', ...EXAMPLE_SECRETS, ...opts.env } });
    expect(stdout + stderr).not.toContain(EXAMPLE_SECRETS.AAD_CLIENT_SECRET);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    expect(e.stdout + e.stderr).not.toContain(EXAMPLE_SECRETS.AAD_CLIENT_SECRET);
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function accountFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'charter-cli-')), 'account.json');
  copyFileSync(join(repoRoot, 'policies/examples/sandbox-account.json'), file);
  return file;
}

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('charter CLI', () => {
  it('validate: exit 0 on the examples, exit 1 with file:line:column on bad input', async () => {
    const ok = await charter(['validate', 'policies/examples']);
    expect(ok.code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'charter-bad-'));
    writeFileSync(join(dir, 'bad.yml'), 'apiVersion: charter/v1\nkind: EmailSecurity\nmetadata:\n  name: bad\nspec:\n  domain: example.com\n  mtaSTS:\n    mode: testing\n');
    const bad = await charter(['validate', 'bad.yml'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('bad.yml:7:3');
    expect(bad.stdout).toContain('schema/unknown-key');
    expect(bad.stdout).toContain('Did you mean "mtaSts"?');
    const json = await charter(['validate', 'bad.yml', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(json.stdout).diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'schema/unknown-key', line: 7, column: 3 })]));
  });

  it('plan → apply --plan → plan is empty → manual edit → drift exits 2', async () => {
    const state = accountFile();
    const planFile = join(mkdtempSync(join(tmpdir(), 'charter-plan-')), 'plan.json');
    const planned = await charter(['plan', 'policies/examples', '--sandbox', state, '--out', planFile, '--detailed-exitcode', '--format', 'json']);
    expect(planned.code).toBe(2);
    const p = JSON.parse(planned.stdout) as Plan;
    expect(p.formatVersion).toBe(1);
    expect(p.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect((JSON.parse(readFileSync(planFile, 'utf8')) as Plan).fingerprint).toBe(p.fingerprint);

    const blocked = await charter(['apply', 'policies/examples', '--sandbox', state, '--plan', planFile]);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toMatch(/nothing was applied/i);

    const applied = await charter(['apply', 'policies/examples', '--sandbox', state, '--plan', planFile, '--allow-destructive']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    const again = await charter(['plan', 'policies/examples', '--sandbox', state, '--detailed-exitcode']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/No changes/);

    const account = JSON.parse(readFileSync(state, 'utf8'));
    const zone = account.route53.hostedZones.find((z: { name: string }) => z.name === 'example.net.');
    zone.records.find((r: { name: string }) => r.name === '_smtp._tls.example.net.').values = ['"v=TLSRPTv1; rua=mailto:x@example.org"'];
    writeFileSync(state, JSON.stringify(account));
    const drift = await charter(['drift', 'policies/examples', '--sandbox', state]);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('_smtp._tls.example.net.');
  });

  it('apply --plan refuses when live state changed after the plan was saved', async () => {
    const state = accountFile();
    const planFile = join(mkdtempSync(join(tmpdir(), 'charter-plan-')), 'plan.json');
    expect((await charter(['plan', 'policies/examples/testing-mode.yml', '--sandbox', state, '--out', planFile])).code).toBe(0);
    const account = JSON.parse(readFileSync(state, 'utf8'));
    // A new MX host appears after review: it changes the plan's live inputs.
    account.route53.hostedZones[0].records.find((r: { type: string }) => r.type === 'MX').values.push('30 mx3.mail.example.net.');
    writeFileSync(state, JSON.stringify(account));
    const refused = await charter(['apply', 'policies/examples/testing-mode.yml', '--sandbox', state, '--plan', planFile]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/changed since it was reviewed/);
    const after = JSON.parse(readFileSync(state, 'utf8'));
    expect(after.route53.hostedZones[0].records.some((r: { name: string }) => r.name.startsWith('_mta-sts'))).toBe(false);
  });

  it('a failure in the middle of apply exits non-zero and reports per change', async () => {
    sandbox = await startExampleSandbox();
    sandbox.faults.failNthWrite('s3', 1, { code: 'AccessDenied', message: 'injected: no PutObject permission', status: 403 });
    const cwd = copyExamples();
    const run = await charter(['apply', 'policies/examples/testing-mode.yml', '--format', 'json'], { cwd, env: { CHARTER_AWS_ENDPOINT: sandbox.endpoint } });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { results: Array<{ address: string; status: string; error?: string }> };
    expect(report.results.map((r) => r.status)).toEqual(['applied', 'failed', 'not-attempted', 'not-attempted', 'not-attempted']);
    expect(report.results[1].error).toContain('injected');
    const rerun = await charter(['apply', 'policies/examples/testing-mode.yml'], { cwd, env: { CHARTER_AWS_ENDPOINT: sandbox.endpoint } });
    expect(rerun.code).toBe(0);
  });

  it('usage errors exit 1 with help', async () => {
    const bad = await charter(['plan', '--format', 'yaml']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/text, markdown or json/);
    expect((await charter(["validate", "--out", "x"])).stderr).toMatch(/--out does not apply to validate/);
    const help = await charter(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/validate/);
  });
});
