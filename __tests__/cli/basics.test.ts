/**
 * CLI basics a Terraform or octoDNS user expects: per-command --help, --version (also in plan JSON), colour on
 * a terminal that NO_COLOR turns off and FORCE_COLOR turns on, and `charter sandbox` serving the simulated
 * account on a port. The bundled CLI as a process (a real pseudo-terminal where a terminal matters).
 */
import { execFile, spawn as spawnProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawn } from '@lydell/node-pty';
import { describe, expect, it } from 'vitest';
import { bundleNode, EXAMPLE_SECRETS, repoRoot } from '../helpers/aws.js';

const exec = promisify(execFile);
const cli = join(repoRoot, 'dist/cli.js');
const POLICY = 'policies/examples/testing-mode.yml';
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const ESC = '\x1b[';

/**
 * The test runner's own colour settings are not the user's: each test states the ones it means. CI=true
 * (set by .ci/run) makes Node report a terminal without colours (tty hasColors), so it goes too.
 */
function env(extra: Record<string, string> = {}): Record<string, string> {
  const { FORCE_COLOR: _f, NO_COLOR: _n, NODE_DISABLE_COLORS: _d, CI: _c, ...rest } = process.env;
  return { ...(rest as Record<string, string>), ...EXAMPLE_SECRETS, TERM: 'xterm-256color', ...extra };
}

async function piped(args: string[], extra: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(bundleNode, [cli, ...args], { cwd: repoRoot, env: env(extra) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function onTerminal(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const term = spawn(bundleNode, [cli, ...args], { cwd: repoRoot, cols: 200, rows: 50, env: env(extra) });
    let output = '';
    term.onData((d) => (output += d));
    term.onExit(({ exitCode }) => resolve({ code: exitCode, output }));
  });
}

function account(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'charter-basics-')), 'account.json');
  copyFileSync(join(repoRoot, 'policies/examples/sandbox-account.json'), file);
  return file;
}

describe('charter CLI basics', () => {
  it('--help per command lists that command\'s own options', async () => {
    const plan = await piped(['plan', '--help']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^Usage: charter plan \[paths\.\.\.\]/);
    expect(plan.stdout).toContain('--detailed-exitcode');
    expect(plan.stdout).toContain('--format <format>');
    expect(plan.stdout).not.toMatch(/^ +--dns-server /m);
    expect(plan.stdout).not.toMatch(/^ +--auto-approve /m);
    const verify = await piped(['verify', '-h']);
    expect(verify.stdout).toContain('--dns-server');
    expect(verify.stdout).not.toMatch(/^ +--detailed-exitcode /m);
    const apply = await piped(['apply', '--help']);
    expect(apply.stdout).toMatch(/^ +--auto-approve /m);
    const top = await piped(['--help']);
    expect(top.stdout).toContain('Run charter <command> --help');
    for (const command of ['validate', 'plan', 'apply', 'drift', 'verify', 'import', 'sandbox']) expect(top.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    const wrong = await piped(['drift', '--out', 'x']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Run charter drift --help');
  });

  it('--version prints the package version, and every plan records it', async () => {
    const run = await piped(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`charter ${version}`);
    const planned = await piped(['plan', POLICY, '--sandbox', account(), '--format', 'json']);
    expect(planned.code).toBe(0);
    expect(JSON.parse(planned.stdout).charterVersion).toBe(version);
  });

  it('colours text on a terminal; NO_COLOR turns it off, FORCE_COLOR on; JSON is never coloured', async () => {
    const state = account();
    const tty = await onTerminal(['plan', POLICY, '--sandbox', state]);
    expect(tty.code).toBe(0);
    expect(tty.output).toContain(`${ESC}32m  + TXT _mta-sts.example.net.`);
    const noColour = await onTerminal(['plan', POLICY, '--sandbox', state], { NO_COLOR: '1' });
    expect(noColour.output).toContain('+ TXT _mta-sts.example.net.');
    expect(noColour.output).not.toContain(ESC);
    const dumb = await onTerminal(['plan', POLICY, '--sandbox', state], { TERM: 'dumb' });
    expect(dumb.output).not.toContain(ESC);

    const pipe = await piped(['plan', POLICY, '--sandbox', state]);
    expect(pipe.stdout).toContain('+ TXT _mta-sts.example.net.');
    expect(pipe.stdout).not.toContain(ESC);
    const forced = await piped(['plan', POLICY, '--sandbox', state], { FORCE_COLOR: '1' });
    expect(forced.stdout).toContain(`${ESC}32m`);
    const json = await piped(['plan', POLICY, '--sandbox', state, '--format', 'json'], { FORCE_COLOR: '1' });
    expect(json.stdout).not.toContain(ESC);
    expect(() => JSON.parse(json.stdout)).not.toThrow();
  });

  it('charter sandbox serves the account on a port until stopped; other processes apply against it', async () => {
    const state = account();
    const server = spawnProcess(bundleNode, [cli, 'sandbox', '--state', state, '--persist', '--port', '0'], { cwd: repoRoot, env: env() });
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        server.on('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
      });
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const applied = await piped(['apply', POLICY, '--auto-approve'], { CHARTER_AWS_ENDPOINT: endpoint });
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);
      const again = await piped(['plan', POLICY, '--detailed-exitcode'], { CHARTER_AWS_ENDPOINT: endpoint });
      expect(again.code).toBe(0);
      // --persist wrote the applied records back to the state file.
      const zones = JSON.parse(readFileSync(state, 'utf8')).route53.hostedZones as Array<{ records: Array<{ name: string }> }>;
      expect(zones.some((z) => z.records.some((r) => r.name === '_mta-sts.example.net.'))).toBe(true);
    } finally {
      const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    const bad = await piped(['sandbox', '--persist']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--persist needs --state');
    expect((await piped(['sandbox', '--port', '70000'])).stderr).toContain('--port: expected a port number');
  });
});
