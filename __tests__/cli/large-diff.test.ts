/**
 * A large value with a few changes, through the bundled CLI: a protection group of 1,500 members where two
 * were swapped for others. The plan shows those members, not the whole list removed and added.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bundleNode, repoRoot } from '../helpers/aws.js';

const exec = promisify(execFile);
const cli = join(repoRoot, 'dist/cli.js');
const arn = (i: number) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/svc-${String(i).padStart(5, '0')}/0123456789abcdef`;

describe('charter plan with a large value', () => {
  it('shows the two swapped members of a 1,500-member protection group, not the whole list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charter-large-diff-'));
    const wanted = Array.from({ length: 1_500 }, (_, i) => arn(i));
    const live = wanted.map((a, i) => (i === 100 ? arn(90_100) : i === 1_400 ? arn(91_400) : a));
    const account = JSON.parse(readFileSync(join(repoRoot, 'policies/examples/sandbox-account.json'), 'utf8'));
    account.shield.protections = [...new Set([...wanted, ...live])].map((resourceArn, i) => ({ name: `p${i}`, resourceArn }));
    account.shield.protectionGroups = [{ id: 'big', aggregation: 'SUM', pattern: 'ARBITRARY', members: live }];
    writeFileSync(join(dir, 'account.json'), JSON.stringify(account));
    writeFileSync(
      join(dir, 'big.yml'),
      `apiVersion: charter/v1\nkind: ProtectionGroups\nmetadata:\n  name: big\nspec:\n  groups:\n    - id: big\n      aggregation: SUM\n      pattern: ARBITRARY\n      members:\n${wanted.map((a) => `        - ${a}\n`).join('')}`,
    );

    const { stdout } = await exec(bundleNode, [cli, 'plan', 'big.yml', '--sandbox', 'account.json'], { cwd: dir, env: { ...process.env, GITHUB_TOKEN: '' } });
    expect(stdout).toContain('1 to update');
    expect(stdout.match(/^ {6}[-+] .*$/gm)).toEqual([
      `      +     "${arn(100)}",`,
      `      +     "${arn(1_400)}",`,
      `      -     "${arn(90_100)}",`,
      `      -     "${arn(91_400)}"`,
    ]);
    expect(stdout).not.toContain('@@');
  });
});
