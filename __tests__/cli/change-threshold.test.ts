/**
 * The change threshold (issue 15, item 8), through the CLI as a process against the sandbox: a plan that
 * updates or deletes more than 30 % of the live things a policy owns is refused (plan and apply exit 1,
 * naming the policy and the numbers) unless --force; policies owning fewer than 10 things are exempt.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bundleNode, repoRoot } from '../helpers/aws.js';

const exec = promisify(execFile);

async function charter(args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await exec(bundleNode, [join(repoRoot, 'dist/cli.js'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** A ProtectionGroups policy of `count` groups, the first `mean` of them aggregated by MEAN instead of SUM. */
function fleet(name: string, count: number, mean = 0): string {
  const groups = Array.from({ length: count }, (_, i) => `    - id: ${name}-${i}\n      aggregation: ${i < mean ? 'MEAN' : 'SUM'}\n      pattern: ALL\n`).join('');
  return `apiVersion: charter/v1\nkind: ProtectionGroups\nmetadata:\n  name: ${name}\nspec:\n  groups:\n${groups}`;
}

function workspace(): { dir: string; state: string } {
  const dir = mkdtempSync(join(tmpdir(), 'charter-threshold-'));
  const state = join(dir, 'account.json');
  copyFileSync(join(repoRoot, 'policies/examples/sandbox-account.json'), state);
  return { dir, state };
}

const aggregations = (state: string, prefix: string) =>
  (JSON.parse(readFileSync(state, 'utf8')) as { shield: { protectionGroups?: Array<{ id: string; aggregation: string }> } }).shield.protectionGroups
    ?.filter((g) => g.id.startsWith(prefix))
    .map((g) => g.aggregation) ?? [];

describe('the change threshold', () => {
  it('refuses a plan updating more than 30 % of the 12 groups a policy owns unless --force; 3 of 12 pass', async () => {
    const { dir, state } = workspace();
    const file = join(dir, 'fleet.yml');
    writeFileSync(file, fleet('fleet', 12));
    expect((await charter(['apply', 'fleet.yml', '--auto-approve', '--sandbox', state], dir)).code).toBe(0);
    expect(aggregations(state, 'fleet-')).toHaveLength(12);

    // 3 of 12 (25 %): an ordinary plan.
    writeFileSync(file, fleet('fleet', 12, 3));
    const ordinary = await charter(['plan', 'fleet.yml', '--detailed-exitcode', '--sandbox', state], dir);
    expect(ordinary.code, ordinary.out).toBe(2);
    expect(ordinary.out).not.toContain('plan/change-threshold-exceeded');

    // 4 of 12 (33 %): refused, with the numbers, at the policy's name.
    writeFileSync(file, fleet('fleet', 12, 4));
    const refused = await charter(['plan', 'fleet.yml', '--sandbox', state], dir);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('plan/change-threshold-exceeded');
    expect(refused.out).toContain('ProtectionGroups/fleet updates 4 (33 %) and deletes 0 (0 %) of the 12 live things it owns; the threshold is 30 %');
    expect(refused.out).toContain('fleet.yml:4:9');
    const json = JSON.parse((await charter(['plan', 'fleet.yml', '--format', 'json', '--sandbox', state], dir)).out) as { safety: unknown };
    expect(json.safety).toEqual({ thresholdPercent: 30, minOwned: 10, forced: false, policies: [{ policy: 'ProtectionGroups/fleet', owned: 12, updates: 4, deletes: 0, exceeded: true }] });

    const blocked = await charter(['apply', 'fleet.yml', '--auto-approve', '--sandbox', state], dir);
    expect(blocked.code).toBe(1);
    expect(blocked.out).toMatch(/Over the change threshold: ProtectionGroups\/fleet updates 4 \(33 %\)/);
    expect(aggregations(state, 'fleet-').filter((a) => a === 'MEAN')).toHaveLength(0);

    // A higher threshold lets it through; so does --force (a warning says it was forced).
    expect((await charter(['plan', 'fleet.yml', '--change-threshold', '40', '--sandbox', state], dir)).code).toBe(0);
    const bad = await charter(['plan', 'fleet.yml', '--change-threshold', '140', '--sandbox', state], dir);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('--change-threshold must be a percentage from 0 to 100, got "140"');
    const forcedPlan = await charter(['plan', 'fleet.yml', '--force', '--sandbox', state], dir);
    expect(forcedPlan.code, forcedPlan.out).toBe(0);
    expect(forcedPlan.out).toContain('updates 4 (33 %) and deletes 0 (0 %) of the 12 live things it owns; the threshold is 30 %: forced past the threshold by this run');
    const forced = await charter(['apply', 'fleet.yml', '--auto-approve', '--force', '--sandbox', state], dir);
    expect(forced.code, forced.out).toBe(0);
    expect(aggregations(state, 'fleet-').filter((a) => a === 'MEAN')).toHaveLength(4);
  });

  it('a policy owning fewer than 10 things is exempt: every group of 9 may change', async () => {
    const { dir, state } = workspace();
    const file = join(dir, 'small.yml');
    writeFileSync(file, fleet('small', 9));
    expect((await charter(['apply', 'small.yml', '--auto-approve', '--sandbox', state], dir)).code).toBe(0);
    writeFileSync(file, fleet('small', 9, 9));
    const run = await charter(['apply', 'small.yml', '--auto-approve', '--sandbox', state], dir);
    expect(run.code, run.out).toBe(0);
    expect(aggregations(state, 'small-').filter((a) => a === 'MEAN')).toHaveLength(9);
  });

  it('drift is not refused: it reports differences and applies nothing', async () => {
    const { dir, state } = workspace();
    const file = join(dir, 'fleet.yml');
    writeFileSync(file, fleet('fleet', 10));
    expect((await charter(['apply', 'fleet.yml', '--auto-approve', '--sandbox', state], dir)).code).toBe(0);
    writeFileSync(file, fleet('fleet', 10, 10));
    const run = await charter(['drift', 'fleet.yml', '--sandbox', state], dir);
    expect(run.code, run.out).toBe(2);
    expect(run.out).not.toContain('plan/change-threshold-exceeded');
  });
});
