/**
 * `charter apply` asks before it changes anything, like `terraform apply`: on a terminal it shows the plan and
 * applies only after `yes`; without a terminal it refuses unless --auto-approve or --plan FILE says what to do.
 * The bundled CLI as a process, on a real pseudo-terminal (node-pty) for the interactive part.
 */
import { execFile } from 'node:child_process';
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
const PROMPT = 'Enter a value:';

function account(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'charter-confirm-')), 'account.json');
  copyFileSync(join(repoRoot, 'policies/examples/sandbox-account.json'), file);
  return file;
}

/** Whether the testing-mode example's MTA-STS record exists in the account file (the first change apply makes). */
function applied(state: string): boolean {
  const zones = JSON.parse(readFileSync(state, 'utf8')).route53.hostedZones as Array<{ records: Array<{ name: string }> }>;
  return zones.some((z) => z.records.some((r) => r.name.startsWith('_mta-sts.')));
}

/** Runs the CLI on a pseudo-terminal; types `answer` (then Enter) when the prompt appears, if given. */
function onTerminal(args: string[], answer?: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const term = spawn(bundleNode, [cli, ...args], { cwd: repoRoot, cols: 200, rows: 50, env: { ...process.env, ...EXAMPLE_SECRETS, NO_COLOR: '1' } as Record<string, string> });
    let output = '';
    let answered = false;
    term.onData((data) => {
      output += data;
      if (answer !== undefined && !answered && output.includes(PROMPT)) {
        answered = true;
        term.write(`${answer}\r`);
      }
    });
    term.onExit(({ exitCode }) => resolve({ code: exitCode, output }));
  });
}

async function piped(args: string[]) {
  try {
    const { stdout, stderr } = await exec(bundleNode, [cli, ...args], { cwd: repoRoot, env: { ...process.env, ...EXAMPLE_SECRETS } });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('charter apply asks for confirmation', () => {
  it('on a terminal: shows the plan, applies nothing on any answer but yes', async () => {
    const state = account();
    const run = await onTerminal(['apply', POLICY, '--sandbox', state], 'y');
    expect(run.code).toBe(1);
    expect(run.output).toContain('_mta-sts.example.net.');
    expect(run.output).toContain("Only 'yes' will be accepted");
    expect(run.output).toContain('Apply cancelled: nothing was applied.');
    expect(applied(state)).toBe(false);
  });

  it('on a terminal: yes applies exactly the plan shown', async () => {
    const state = account();
    const run = await onTerminal(['apply', POLICY, '--sandbox', state], 'yes');
    expect(run.code, run.output).toBe(0);
    expect(run.output.indexOf('_mta-sts.example.net.')).toBeLessThan(run.output.indexOf(PROMPT));
    expect(run.output).toMatch(/Applied \d+ changes?\./);
    expect(applied(state)).toBe(true);
    // Nothing left to do: no question is asked.
    const again = await onTerminal(['apply', POLICY, '--sandbox', state]);
    expect(again.code).toBe(0);
    expect(again.output).toContain('Nothing to apply');
    expect(again.output).not.toContain(PROMPT);
  });

  it('on a terminal: a plan the risk gate refuses is shown and refused without a question', async () => {
    const state = account();
    const run = await onTerminal(['apply', 'policies/examples', '--sandbox', state]);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/need explicit approval/);
    expect(run.output).not.toContain(PROMPT);
  });

  it('without a terminal: refuses unless --auto-approve or --plan; changes nothing', async () => {
    const state = account();
    const refused = await piped(['apply', POLICY, '--sandbox', state]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('standard input is not a terminal');
    expect(refused.out).toContain('--auto-approve');
    expect(applied(state)).toBe(false);
    const json = await piped(['apply', POLICY, '--sandbox', state, '--format', 'json']);
    expect(json.code).toBe(1);
    expect(applied(state)).toBe(false);

    const auto = await piped(['apply', POLICY, '--sandbox', state, '--auto-approve']);
    expect(auto.code, auto.out).toBe(0);
    expect(applied(state)).toBe(true);

    const other = account();
    const planFile = join(mkdtempSync(join(tmpdir(), 'charter-confirm-plan-')), 'plan.json');
    expect((await piped(['plan', POLICY, '--sandbox', other, '--out', planFile])).code).toBe(0);
    const saved = await piped(['apply', POLICY, '--sandbox', other, '--plan', planFile]);
    expect(saved.code, saved.out).toBe(0);
    expect(applied(other)).toBe(true);
  });

  it('--auto-approve is an apply option only', async () => {
    const run = await piped(['plan', POLICY, '--auto-approve']);
    expect(run.code).toBe(1);
    expect(run.out).toContain('--auto-approve does not apply to plan');
  });
});
