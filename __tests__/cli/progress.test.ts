import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { bundleNode, copyExamples, EXAMPLE_SECRETS, repoRoot, startExampleSandbox } from '../helpers/aws.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('charter apply progress', () => {
  it('prints each change as it starts and ends on stderr while the apply still runs; stdout keeps the JSON', async () => {
    sandbox = await startExampleSandbox();
    // Route 53 changes stay PENDING for 1.5 s: the apply cannot end before that.
    sandbox.state.settings.route53.changeInsyncAfterPolls = 1_000_000;
    sandbox.state.settings.route53.changeInsyncAfterMs = 1_500;
    const cwd = copyExamples();
    const child = spawn(bundleNode, [join(repoRoot, 'dist/cli.js'), 'apply', 'policies/examples/testing-mode.yml', '--auto-approve', '--format', 'json', '--concurrency', '2'], {
      cwd,
      env: { ...process.env, GITHUB_TOKEN: '', ...EXAMPLE_SECRETS, CHARTER_AWS_ENDPOINT: sandbox.endpoint },
    });
    let stdout = '';
    let stderr = '';
    let exited = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => ((exited = true), resolve(code))));
    // The first finished change is read while the process is still running (waiting for INSYNC).
    const seenWhileRunning = await new Promise<boolean>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/✓ .*: applied/.test(stderr)) resolve(!exited);
      });
      void exit.then(() => resolve(false));
    });
    expect(seenWhileRunning).toBe(true);
    expect(await exit).toBe(0);
    expect(stderr).toMatch(/started/);
    expect(stderr).toMatch(/✓ TXT _mta-sts\.example\.net\.: applied/);
    const report = JSON.parse(stdout) as { ok: boolean };
    expect(report.ok).toBe(true);
  }, 60_000);

  it('refuses --concurrency outside 1 to 64 as a usage error, before reading AWS', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    for (const value of ['0', '65', 'lots']) {
      const result = spawnSync(bundleNode, [join(repoRoot, 'dist/cli.js'), 'apply', 'policies/examples/testing-mode.yml', '--auto-approve', '--concurrency', value], {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, GITHUB_TOKEN: '', ...EXAMPLE_SECRETS, CHARTER_AWS_ENDPOINT: sandbox.endpoint },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`--concurrency must be a whole number from 1 to 64, got "${value}"`);
    }
    expect(sandbox.stats.calls()).toEqual([]);
  }, 60_000);
});
