/**
 * The Node versions package.json declares are true: the Node running the tests and the one running the bundles
 * (CHARTER_TEST_NODE, Node 24 in CI) satisfy them, action.yml's runtime is among them, and every installed
 * package accepts the lowest release of each supported line, except the few named below, which declare a
 * newer Node than they use (the whole suite runs them on Node 20 in CI).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bundleNode, repoRoot } from '../helpers/aws.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } };
const declared = pkg.engines.node;
/** The lowest release of each line Charter supports. */
const floors = ['20.19.0', '22.13.0', '24.0.0'];

/**
 * Packages whose `engines` asks for Node 22 though they run on Node 20: content-type (a pure-JS header
 * parser, reached through @octokit/request and bundled into dist), exercised on Node 20 by this suite.
 */
const declaresMoreThanItNeeds = new Map([['content-type', '20.19.0']]);

describe('declared Node versions', () => {
  it('hold for the Node running the tests, the one running the bundles, and action.yml', () => {
    expect(semver.satisfies(process.version, declared), `${process.version} vs ${declared}`).toBe(true);
    const bundle = execFileSync(bundleNode, ['--version'], { encoding: 'utf8' }).trim();
    expect(semver.satisfies(bundle, declared), `${bundle} vs ${declared}`).toBe(true);
    const using = (parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as { runs: { using: string } }).runs.using;
    expect(using).toMatch(/^node\d+$/);
    expect(semver.satisfies(`${using.slice(4)}.0.0`, declared)).toBe(true);
    for (const floor of floors) expect(semver.satisfies(floor, declared), floor).toBe(true);
    // Nothing older than the first floor is promised.
    expect(semver.satisfies('20.18.1', declared)).toBe(false);
    expect(semver.satisfies('23.0.0', declared)).toBe(false);
  });

  it('every installed package accepts each supported line (the named exceptions only on Node 20)', () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
    const refusing: string[] = [];
    const exceptionsUsed = new Set<string>();
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
      if (!path || !range) continue;
      const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      for (const floor of floors) {
        if (semver.satisfies(floor, range)) continue;
        if (declaresMoreThanItNeeds.get(name) === floor) exceptionsUsed.add(name);
        else refusing.push(`${name} (${range}) refuses Node ${floor}`);
      }
    }
    expect(refusing).toEqual([]);
    // An exception that no longer applies is removed, so the list stays true.
    expect([...exceptionsUsed].sort()).toEqual([...declaresMoreThanItNeeds.keys()].sort());
  });
});
