/**
 * ProtectionGroups benchmark (issue floor): 200 protection groups of 50 members each on the sandbox. A plan
 * of the converged policies may use at most 3 Shield calls per 100 groups plus the protections listing.
 *
 * The groups are declared by four policies of 50 groups each (a policy file is at most 1 MiB).
 * Figures, per scenario, are the Shield API calls of one plan by operation, the calls the floor counts
 * (everything but ListProtections), the floor itself and the wall time:
 * - `converged`: the policy declares the 200 groups without a `tags` key and they already match;
 * - `convergedWithTags`: the same groups with declared tags: Shield has no bulk tag read, so each group's
 *   tags cost one ListTagsForResource (reported, not hidden);
 * - `firstPlan`: an account with the protections but no groups yet (200 creates planned).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsRuntime } from '../../src/aws/settings.js';
import { plan } from '../../src/core/engine.js';
import { providers } from '../../src/providers/index.js';
import { startSandbox } from '../../src/sandbox/index.js';

const GROUPS = 200;
const MEMBERS = 50;
/** Groups per policy file: policy files are capped at 1 MiB, and 200 × 50 ARNs are more. */
const GROUPS_PER_POLICY = 50;
const ACCOUNT = '123456789012';
const quiet = { debug() {}, info() {}, warn() {} };

const member = (g: number, m: number) =>
  `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/svc-${g}-${m}/${(g * MEMBERS + m).toString(16).padStart(16, '0')}`;
const groupId = (g: number) => `bench-group-${String(g).padStart(3, '0')}`;

export interface ShieldScenario {
  groups: number;
  membersPerGroup: number;
  /** Shield calls of one plan, by operation. */
  calls: Record<string, number>;
  /** Calls the floor counts: every Shield call except the ListProtections listing. */
  countedCalls: number;
  /** 3 per 100 groups. */
  floor: number;
  withinFloor: boolean;
  changes: number;
  errors: number;
  planMs: number;
}

export interface ShieldBench {
  converged: ShieldScenario;
  convergedWithTags: ShieldScenario;
  firstPlan: ShieldScenario;
}

const policyOf = (g: number) => `bench-${Math.floor(g / GROUPS_PER_POLICY)}`;

function policyText(first: number, withTags: boolean): string {
  const groups: string[] = [];
  for (let g = first; g < Math.min(first + GROUPS_PER_POLICY, GROUPS); g++) {
    const members = Array.from({ length: MEMBERS }, (_, m) => `        - ${member(g, m)}`).join('\n');
    const tags = withTags ? `\n      tags:\n        team: team-${g % 10}` : '';
    groups.push(`    - id: ${groupId(g)}\n      aggregation: MEAN\n      pattern: ARBITRARY\n      members:\n${members}${tags}`);
  }
  return `apiVersion: charter/v1\nkind: ProtectionGroups\nmetadata:\n  name: ${policyOf(first)}\nspec:\n  groups:\n${groups.join('\n')}\n`;
}

function account(withGroups: boolean, withTags: boolean): Record<string, unknown> {
  const protections = [];
  for (let g = 0; g < GROUPS; g++) for (let m = 0; m < MEMBERS; m++) protections.push({ name: `svc-${g}-${m}`, resourceArn: member(g, m) });
  const protectionGroups = withGroups
    ? Array.from({ length: GROUPS }, (_, g) => ({
        id: groupId(g),
        aggregation: 'MEAN',
        pattern: 'ARBITRARY',
        members: Array.from({ length: MEMBERS }, (_, m) => member(g, m)),
        tags: { 'charter:policy': policyOf(g), ...(withTags ? { team: `team-${g % 10}` } : {}) },
      }))
    : [];
  return { accountId: ACCOUNT, shield: { subscription: { limits: { maxProtectionGroups: 1000, maxMembers: 10_000 } }, protections, protectionGroups } };
}

async function scenario(withGroups: boolean, withTags: boolean): Promise<ShieldScenario> {
  const cwd = mkdtempSync(join(tmpdir(), 'charter-bench-shield-'));
  const files: string[] = [];
  for (let first = 0; first < GROUPS; first += GROUPS_PER_POLICY) {
    files.push(`groups-${first / GROUPS_PER_POLICY}.yml`);
    writeFileSync(join(cwd, files[files.length - 1]), policyText(first, withTags));
  }
  const sandbox = await startSandbox({ state: account(withGroups, withTags) as never });
  try {
    const started = performance.now();
    const { plan: p } = await plan({
      cwd,
      paths: files,
      providers,
      salt: {},
      runtime: awsRuntime({ endpoint: sandbox.endpoint, requestsPerSecond: { shield: 1000 } }, quiet),
    });
    const planMs = Math.round(performance.now() - started);
    const calls = Object.fromEntries(sandbox.stats.calls().filter((c) => c.service === 'shield').map((c) => [c.operation, c.count]));
    const countedCalls = Object.entries(calls).reduce((n, [op, count]) => (op === 'ListProtections' ? n : n + count), 0);
    const floor = 3 * Math.ceil(GROUPS / 100);
    return { groups: GROUPS, membersPerGroup: MEMBERS, calls, countedCalls, floor, withinFloor: countedCalls <= floor, changes: p.changes.length, errors: p.summary.errors, planMs };
  } finally {
    await sandbox.close();
  }
}

/** Runs the three scenarios; scripts/bench.ts prints the figures with the others. */
export async function benchShield(): Promise<ShieldBench> {
  const figures: ShieldBench = {
    converged: await scenario(true, false),
    convergedWithTags: await scenario(true, true),
    firstPlan: await scenario(false, false),
  };
  return figures;
}
