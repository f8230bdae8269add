/**
 * PackagePublishing benchmark (issue floor): 3 regions × 50 watched packages × 200 Published versions each,
 * converged, with 50 ms latency per call and the default rate limits (5 requests/second per service and
 * region). A plan may make at most 60 calls per region, and take at most 2× the bound the rate limits set:
 * for each region and service, (calls − 1) / rate + one latency; the regions are read in parallel, so the
 * bound is the largest of those.
 *
 * The calls grow with packages, not with versions: the same account with 2 versions per package makes the
 * same calls (`callsAt2Versions`), since ListPackageVersions returns 1000 versions a page.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RATES } from '../../src/aws/rate-limit.js';
import { awsRuntime } from '../../src/aws/settings.js';
import { apply, plan, type PlanOptions } from '../../src/core/engine.js';
import { providers } from '../../src/providers/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2'];
const PACKAGES = 50;
const VERSIONS = 200;
const LATENCY_MS = 50;
const FLOOR_PER_REGION = 60;
const quiet = { debug() {}, info() {}, warn() {} };

const policyText = () => `apiVersion: charter/v1
kind: PackagePublishing
metadata:
  name: bench-packages
spec:
  format: pypi
  domain: bench-domain
  repository: bench-repo
  description: Benchmark repository.
  primaryRegion: us-east-1
  replicaRegions: [us-east-2, us-west-2]
  externalConnection: public:pypi
  packages:
${Array.from({ length: PACKAGES }, (_, i) => `    - name: package-${i}`).join('\n')}
  codeBuildRoleArn: arn:aws:iam::123456789012:role/bench-codebuild
  pipeline:
    name: benchPipeline
    roleArn: arn:aws:iam::123456789012:role/bench-pipeline
    artifactBuckets:
${REGIONS.map((r) => `      ${r}: bench-artifacts-${r}`).join('\n')}
    source:
      connectionArn: arn:aws:codestar-connections:us-east-1:123456789012:connection/00000000-1111-2222-3333-444444444444
      repository: acme/bench
      branch: main
    build:
      buildspec: buildspec-build-pypi.yml.hbs
`;

function options(sandbox: Sandbox, cwd: string, rates?: Record<string, number>): PlanOptions {
  return { cwd, paths: ['bench.yml'], providers, salt: {}, runtime: awsRuntime({ endpoint: sandbox.endpoint, ...(rates ? { requestsPerSecond: rates } : {}) }, quiet) };
}

/** A converged account: Charter's own apply, then every package's versions published in every region. */
async function convergedSandbox(versions: number): Promise<{ sandbox: Sandbox; cwd: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'charter-bench-packages-'));
  writeFileSync(join(cwd, 'bench.yml'), policyText());
  const sandbox = await startSandbox();
  const fast = { codeartifact: 100_000, codebuild: 100_000, codepipeline: 100_000 };
  const applied = await apply({ ...options(sandbox, cwd, fast), allowDestructive: false });
  if (!applied.ok) throw new Error(`bench setup failed: ${JSON.stringify(applied.results.filter((r) => r.status !== 'applied'))}`);
  for (const region of REGIONS) {
    for (let p = 0; p < PACKAGES; p++) {
      sandbox.state.codeartifact.packages.push({
        region,
        domain: 'bench-domain',
        repository: 'bench-repo',
        format: 'pypi',
        name: `package-${p}`,
        versions: Array.from({ length: versions }, (_, v) => ({ version: `1.${v}.0`, revision: `rev-${p}-${v}`, status: 'Published', originType: 'INTERNAL' as const, assets: [] })),
      });
    }
  }
  return { sandbox, cwd };
}

type Calls = Record<string, Record<string, number>>;

/** Calls per region, as `service: count` plus the operations. */
function callsByRegion(sandbox: Sandbox): { perRegion: Record<string, number>; byService: Calls; byOperation: Calls } {
  const perRegion: Record<string, number> = {};
  const byService: Calls = {};
  const byOperation: Calls = {};
  for (const c of sandbox.stats.regionCalls()) {
    perRegion[c.region] = (perRegion[c.region] ?? 0) + c.count;
    (byService[c.region] ??= {})[c.service] = (byService[c.region][c.service] ?? 0) + c.count;
    (byOperation[c.region] ??= {})[`${c.service}:${c.operation}`] = c.count;
  }
  return { perRegion, byService, byOperation };
}

export interface PackagesBench {
  regions: number;
  packages: number;
  versionsPerPackage: number;
  latencyMs: number;
  changes: number;
  callsPerRegion: Record<string, number>;
  callsPerRegionAndService: Calls;
  callsPerRegionAndOperation: Calls;
  callsAt2Versions: Record<string, number>;
  floorPerRegion: number;
  withinFloor: boolean;
  growsWithVersions: boolean;
  wallMs: number;
  rateLimitBoundMs: number;
  ratio: number;
  ok: boolean;
}

export async function benchPackages(): Promise<PackagesBench> {
  const small = await convergedSandbox(2);
  let callsAt2Versions: Record<string, number>;
  try {
    small.sandbox.stats.reset();
    await plan(options(small.sandbox, small.cwd, { codeartifact: 100_000, codebuild: 100_000, codepipeline: 100_000 }));
    callsAt2Versions = callsByRegion(small.sandbox).perRegion;
  } finally {
    await small.sandbox.close();
  }
  const { sandbox, cwd } = await convergedSandbox(VERSIONS);
  try {
    sandbox.faults.latency(LATENCY_MS);
    sandbox.stats.reset();
    const t = process.hrtime.bigint();
    const { plan: p } = await plan(options(sandbox, cwd));
    const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
    if (p.summary.errors) throw new Error(JSON.stringify(p.diagnostics.slice(0, 3)));
    const calls = callsByRegion(sandbox);
    let bound = 0;
    for (const services of Object.values(calls.byService)) {
      for (const [service, n] of Object.entries(services)) bound = Math.max(bound, ((n - 1) / (DEFAULT_RATES[service] ?? 10)) * 1000 + LATENCY_MS);
    }
    const withinFloor = Object.values(calls.perRegion).every((n) => n <= FLOOR_PER_REGION);
    const growsWithVersions = JSON.stringify(callsAt2Versions) !== JSON.stringify(calls.perRegion);
    const ratio = Number((wallMs / bound).toFixed(2));
    return {
      regions: REGIONS.length,
      packages: PACKAGES,
      versionsPerPackage: VERSIONS,
      latencyMs: LATENCY_MS,
      changes: p.summary.total,
      callsPerRegion: calls.perRegion,
      callsPerRegionAndService: calls.byService,
      callsPerRegionAndOperation: calls.byOperation,
      callsAt2Versions,
      floorPerRegion: FLOOR_PER_REGION,
      withinFloor,
      growsWithVersions,
      wallMs: Math.round(wallMs),
      rateLimitBoundMs: Math.round(bound),
      ratio,
      ok: withinFloor && !growsWithVersions && p.summary.total === 0 && ratio <= 2,
    };
  } finally {
    await sandbox.close();
  }
}
