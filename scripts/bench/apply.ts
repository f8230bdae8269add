/**
 * Apply under propagation delays (issue 14): 100 EmailSecurity domains in 10 zones, every record to create,
 * hosting behind 5 CloudFront distributions with 5 certificates to request, plus a RedshiftGrants policy of
 * 2,000 statements over the Data API, in one apply against the sandbox with scaled AWS delays (Route 53
 * INSYNC 500 ms, invalidations 1,000 ms, ACM issuance 1,500 ms after its validation records exist, 1 ms per
 * Redshift statement, 50 ms per request), with the client-side rate limits scaled by the same factor.
 *
 * Figures: `wallMs` of the apply (plan excluded), `criticalPathMs` (the longest chain of dependent waits,
 * from the plan's dependency graph and the delays; the Redshift policy's batches count as one chain),
 * `ratio` (floor: ≤ 1.5), `route53ChangeBatches` (floor: one per zone per dependency level),
 * `invalidations` (floor: one per distribution), `redshiftStatements` and `dataApiBatches` (floor:
 * ceil(statements / 40)), and each part's own wall time against its own critical path (`parts`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsRuntime } from '../../src/aws/settings.js';
import * as engine from '../../src/core/engine.js';
import type { Change } from '../../src/core/plan.js';
import type { ApplyEvent } from '../../src/core/provider.js';
import { providers } from '../../src/providers/index.js';
import { startSandbox } from '../../src/sandbox/index.js';

const DOMAINS = 100;
const ZONES = 10;
const DISTRIBUTIONS = 5;
/** `statementMs`: each Redshift statement runs this long (a GRANT takes about 0.1 s on a cluster). */
const DELAYS = { requestMs: 50, insyncMs: 500, invalidationMs: 1_000, issueMs: 1_500, statementMs: 1 };
/** AWS's request rates scaled as the delays are (about 100× faster than AWS): Route 53 5/s → 500/s. */
const SCALED_RATES = { route53: 500, acm: 1_000, cloudfront: 1_000, s3: 10_000, 'redshift-data': 3_000 };
/** The RedshiftGrants policy: 100 roles, each created and granted USAGE on its schema and SELECT on 18 tables. */
const GRANT_ROLES = 100;
const GRANT_SCHEMAS = 10;
const GRANT_TABLES = 18;
const DATA_API_BATCH = 40;
/** Groups of changes in flight at once (the engine default is 8; 100 uploads and 10 zones want more). */
const CONCURRENCY = 32;
const quiet = { debug() {}, info() {}, warn() {} };

const domain = (i: number) => `d${i}.zone${i % ZONES}.example`;
const distributionId = (k: number) => `E${k}BENCHDIST`;

function policy(i: number): string {
  const d = domain(i);
  return `apiVersion: charter/v1
kind: EmailSecurity
metadata:
  name: domain-${i}
spec:
  domain: ${d}
  dmarc:
    policy: quarantine
    rua: [mailto:dmarc@${d}]
  mtaSts:
    mode: testing
    mx: [mx1.${d}]
    maxAge: 604800
  tlsRpt:
    rua: [mailto:tls@${d}]
  hosting:
    bucket: mail-policies-${i}
    distributionId: ${distributionId(i % DISTRIBUTIONS)}
    certificate: ${i < DISTRIBUTIONS}
`;
}

const grantSchema = (s: number) => `app${s}`;

/** 2,000 statements to run: per role CREATE ROLE, GRANT USAGE and one GRANT SELECT per table. */
function grantsPolicy(): string {
  const roles = Array.from({ length: GRANT_ROLES }, (_, r) => {
    const schema = grantSchema(r % GRANT_SCHEMAS);
    return `  - name: reader_${r}
    privileges:
      schemas: [{ schema: ${schema}, privileges: [usage] }]
      tables: [{ schema: ${schema}, names: [${Array.from({ length: GRANT_TABLES }, (_, t) => `t${t}`).join(', ')}], privileges: [select] }]`;
  });
  return `apiVersion: charter/v1
kind: RedshiftGrants
metadata:
  name: warehouse
spec:
  connection:
    dialect: redshift
    dataApi: { clusterIdentifier: warehouse, database: dev, dbUser: awsuser, region: us-east-1 }
  manage:
    schemas: [${Array.from({ length: GRANT_SCHEMAS }, (_, s) => grantSchema(s)).join(', ')}]
    ignorePrincipals: [awsuser]
  roles:
${roles.join('\n')}
`;
}

function account() {
  return {
    accountId: '123456789012',
    redshift: {
      clusters: [
        {
          identifier: 'warehouse',
          databases: [
            {
              name: 'dev',
              superusers: ['awsuser'],
              schemas: Array.from({ length: GRANT_SCHEMAS }, (_, s) => ({ name: grantSchema(s), tables: Array.from({ length: GRANT_TABLES }, (_, t) => `t${t}`) })),
            },
          ],
        },
      ],
    },
    route53: {
      hostedZones: Array.from({ length: ZONES }, (_, z) => ({
        id: `Z0APPLY${String(z).padStart(4, '0')}`,
        name: `zone${z}.example`,
        records: Array.from({ length: DOMAINS / ZONES }, (_, k) => {
          const i = z + k * ZONES;
          return { name: domain(i), type: 'MX', ttl: 300, values: [`10 mx1.${domain(i)}.`] };
        }),
      })),
    },
    s3: { buckets: Object.fromEntries(Array.from({ length: DOMAINS }, (_, i) => [`mail-policies-${i}`, { region: 'us-east-1', objects: {} }])) },
    cloudfront: {
      distributions: Array.from({ length: DISTRIBUTIONS }, (_, k) => ({
        id: distributionId(k),
        domainName: `d${k}bench.cloudfront.net`,
        aliases: Array.from({ length: DOMAINS }, (_, i) => i).filter((i) => i % DISTRIBUTIONS === k).map((i) => `mta-sts.${domain(i)}`),
      })),
    },
    settings: {
      // Time alone decides (polls never do): PENDING/InProgress/PENDING_VALIDATION for the scaled delays.
      route53: { changeInsyncAfterPolls: 1_000_000, changeInsyncAfterMs: DELAYS.insyncMs },
      cloudfront: { invalidationCompleteAfterPolls: 1_000_000, invalidationCompleteAfterMs: DELAYS.invalidationMs },
      acm: { issueAfterValidationMs: DELAYS.issueMs },
      redshift: { statementFinishAfterPolls: 0, statementRunMs: DELAYS.statementMs },
    },
  };
}

/**
 * The least time one change can take on its own with these delays: the requests it must make one after
 * another, and the waits. The sandbox adds `requestMs` before it handles a request and starts a delay at
 * that moment, so a poll sent `requestMs` before the delay ends sees it ended: a wait costs its delay, not a
 * request more (a perfect poller; the waiters' backoff is what the ratio measures).
 */
function durationMs(c: Change): number {
  const op = (c.data as { op?: string } | undefined)?.op;
  const r = DELAYS.requestMs;
  switch (op) {
    case 'route53':
      return r + DELAYS.insyncMs; // the change, then INSYNC (seen by a GetChange sent just before)
    case 's3-put':
      return r;
    case 'cloudfront-invalidate':
      return r + DELAYS.invalidationMs;
    case 'acm-request':
      // RequestCertificate; two DescribeCertificate (ACM publishes the validation records after the first);
      // ListHostedZones; the record change and its INSYNC; the DescribeCertificate at which ACM first sees
      // the records in place (the sandbox's issuance clock starts there); issuance.
      return r + 2 * r + r + r + DELAYS.insyncMs + r + DELAYS.issueMs;
    default:
      return r;
  }
}

const sqlOf = (c: Change) => (c.data as { sql?: string[] } | undefined)?.sql ?? [];

/**
 * The least time a RedshiftGrants policy's statements take over the Data API: batches of 40, one after
 * another (each a transaction, in plan order); a batch costs its submission, then whichever is longer of its
 * statements' run time and the DescribeStatement round trip that sees it FINISHED (sent once the id is known).
 */
function dataApiChainMs(changes: Change[]): number {
  const statements = changes.reduce((n, c) => n + sqlOf(c).length, 0);
  let total = 0;
  for (let done = 0; done < statements; done += DATA_API_BATCH) {
    const n = Math.min(DATA_API_BATCH, statements - done);
    total += DELAYS.requestMs + Math.max(DELAYS.requestMs, n * DELAYS.statementMs);
  }
  return total;
}

/**
 * The longest chain of dependent changes, each taking durationMs (kinds with a dependency graph), or of a
 * policy applied as one sequence (RedshiftGrants: its Data API batches one after another).
 */
export function criticalPath(changes: Change[], dependsOn: Map<string, string[]>): number {
  const sequences = new Map<string, Change[]>();
  for (const c of changes) if (c.kind === 'RedshiftGrants') sequences.set(c.policy, [...(sequences.get(c.policy) ?? []), c]);
  const chains = [...sequences.values()].map(dataApiChainMs);
  changes = changes.filter((c) => c.kind !== 'RedshiftGrants');
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  const finish = new Map<string, number>();
  const visit = (address: string): number => {
    const known = finish.get(address);
    if (known !== undefined) return known;
    const deps = dependsOn.get(address) ?? [];
    const start = Math.max(0, ...deps.map(visit));
    const end = start + durationMs(byAddress.get(address)!);
    finish.set(address, end);
    return end;
  };
  return Math.max(0, ...chains, ...changes.map((c) => visit(c.address)));
}

export async function benchApply() {
  const dir = mkdtempSync(join(tmpdir(), 'charter-bench-apply-'));
  writeFileSync(join(dir, 'domains.yml'), Array.from({ length: DOMAINS }, (_, i) => policy(i)).join('---\n'));
  writeFileSync(join(dir, 'grants.yml'), grantsPolicy());
  const sandbox = await startSandbox({ state: account() as never });
  try {
    // The waiters know the scaled typical times, as on AWS they know the real ones (src/aws/settings.ts);
    // hand loops poll at a tenth of the shortest delay, as 2 s polls are to Route 53's tens of seconds.
    const typicalWaitMs = { route53Insync: DELAYS.insyncMs, invalidation: DELAYS.invalidationMs, certificateValidation: DELAYS.issueMs };
    const runtime = { ...awsRuntime({ endpoint: sandbox.endpoint, requestsPerSecond: SCALED_RATES }, quiet), pollIntervalMs: 50, typicalWaitMs };
    // When each kind's last change ended: each part's own wall time beside its own critical path.
    const endedAt = new Map<string, number>();
    let started = 0;
    const onEvent = (e: ApplyEvent) => {
      if (e.type === 'end') endedAt.set(e.change.kind, performance.now() - started);
    };
    const options = { cwd: dir, paths: ['domains.yml', 'grants.yml'], providers, salt: {}, runtime, execution: { concurrency: CONCURRENCY, onEvent } };
    const { plan: p, validation } = await engine.plan(options);
    if (p.summary.errors) throw new Error(JSON.stringify(p.diagnostics.filter((d) => d.severity === 'error').slice(0, 3)));
    sandbox.faults.latency(DELAYS.requestMs);
    sandbox.stats.reset();
    started = performance.now();
    const report = await engine.execute(p, validation.documents, options);
    const wallMs = Math.round(performance.now() - started);
    if (!report.ok) throw new Error(`bench apply failed: ${JSON.stringify(report.results.filter((r) => r.status === 'failed').slice(0, 3))}`);
    const route53ChangeBatches = sandbox.stats.count('route53', 'ChangeResourceRecordSets');
    const invalidations = sandbox.stats.count('cloudfront', 'CreateInvalidation');
    // The dependency graph exists from issue 14 on; the sequential engine before it has none to report.
    const graph = 'dependencyGraph' in engine ? (engine as unknown as { dependencyGraph: (c: Change[], pr: typeof providers) => Promise<{ dependsOn: Map<string, string[]>; levels: Map<string, number> }> }).dependencyGraph : undefined;
    const g = graph ? await graph(p.changes, providers) : undefined;
    const criticalPathMs = g ? criticalPath(p.changes, g.dependsOn) : undefined;
    const levels = g ? new Set(p.changes.filter((c) => (c.data as { op?: string }).op === 'route53').map((c) => g.levels.get(c.address))).size : undefined;
    // ACM validation records are written inside the certificate request, one batch per certificate's zone.
    const certificates = p.changes.filter((c) => (c.data as { op?: string }).op === 'acm-request').length;
    const batchFloor = levels !== undefined ? ZONES * levels + certificates : undefined;
    const grants = p.changes.filter((c) => c.kind === 'RedshiftGrants');
    const redshiftStatements = grants.reduce((n, c) => n + sqlOf(c).length, 0);
    const part = (kind: string) => {
      const own = p.changes.filter((c) => c.kind === kind);
      const path = g ? criticalPath(own, g.dependsOn) : 0;
      const ms = Math.round(endedAt.get(kind) ?? 0);
      return { wallMs: ms, criticalPathMs: path, ratio: path ? Number((ms / path).toFixed(2)) : undefined };
    };
    return {
      domains: DOMAINS,
      zones: ZONES,
      distributions: DISTRIBUTIONS,
      certificates,
      delays: DELAYS,
      changes: p.changes.length,
      wallMs,
      criticalPathMs,
      ratio: criticalPathMs ? Number((wallMs / criticalPathMs).toFixed(2)) : undefined,
      route53ChangeBatches,
      route53ChangeBatchFloor: batchFloor,
      invalidations,
      redshiftStatements,
      dataApiBatches: sandbox.stats.count('redshift-data', 'BatchExecuteStatement'),
      dataApiBatchFloor: Math.ceil(redshiftStatements / DATA_API_BATCH),
      // Each part on its own (ended when its last change ended), against its own critical path.
      parts: { email: part('EmailSecurity'), redshiftGrants: part('RedshiftGrants') },
      calls: sandbox.stats.calls(),
      ok: criticalPathMs !== undefined && wallMs <= 1.5 * criticalPathMs && route53ChangeBatches <= batchFloor! && invalidations <= DISTRIBUTIONS && redshiftStatements >= 2_000,
    };
  } finally {
    await sandbox.close();
  }
}

// Run on its own: `node scripts/run-ts.mjs scripts/bench/apply.ts`.
if (import.meta.url.endsWith("/scripts/bench/apply.mjs")) console.log(JSON.stringify(await benchApply(), null, 2));
