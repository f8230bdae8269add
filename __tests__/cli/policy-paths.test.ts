/**
 * A policy path the user named that matches nothing is an error (exit 1, naming the path), never a
 * quiet "no changes"; reading no policy at all is fine only when the user says so (--allow-no-policies).
 * The bundled CLI as a process.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bundleNode, EXAMPLE_SECRETS, repoRoot } from '../helpers/aws.js';

const exec = promisify(execFile);

async function charter(args: string[], cwd = repoRoot) {
  try {
    const { stdout, stderr } = await exec(bundleNode, [join(repoRoot, 'dist/cli.js'), ...args], { cwd, env: { ...process.env, ...EXAMPLE_SECRETS } });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

function account(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'charter-paths-')), 'account.json');
  copyFileSync(join(repoRoot, 'policies/examples/sandbox-account.json'), file);
  return file;
}

describe('policy paths that match nothing', () => {
  it('validate, plan --detailed-exitcode and drift exit 1 naming the mistyped path', async () => {
    const sandbox = account();
    for (const args of [['validate', 'polcies/'], ['plan', 'polcies/', '--detailed-exitcode', '--sandbox', sandbox], ['drift', 'polcies/', '--sandbox', sandbox]]) {
      const run = await charter(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.out).toContain('polcies/ matches no policy file');
      expect(run.out).toContain('policy/path-matches-nothing');
    }
  });

  it('one mistyped path among good ones is still an error', async () => {
    const run = await charter(['validate', 'policies/examples/protection-groups.yml', 'policies/exampels/*.yml']);
    expect(run.code).toBe(1);
    expect(run.out).toContain('policies/exampels/*.yml matches no policy file');
  });

  it('no policy under the default paths is an error unless --allow-no-policies; a named path stays an error', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'charter-empty-'));
    const plain = await charter(['validate'], empty);
    expect(plain.code).toBe(1);
    expect(plain.out).toContain('policy/no-files');
    expect((await charter(['validate', '--allow-no-policies'], empty)).code).toBe(0);
    expect((await charter(['drift', '--allow-no-policies', '--sandbox', account()], empty)).code).toBe(0);
    expect((await charter(['validate', 'nowhere', '--allow-no-policies'], empty)).code).toBe(1);
  });
});
