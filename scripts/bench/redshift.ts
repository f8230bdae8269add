/**
 * RedshiftGrants benchmark (issue floor): a policy with 500 roles, 2,000 users and 10,000 privilege grants
 * (plus 2,000 column grants, 500 function grants, 2,000 role memberships and 40 PUBLIC grants) over 20
 * schemas of 50 tables of four columns and 25 functions.
 *
 * Figures:
 * - `postgres`: against a real PostgreSQL server (CHARTER_TEST_PG_URL, or a throwaway cluster started with
 *   the installed binaries): catalog queries of one plan (floor: ≤ 12) and CPU time of planning
 *   (process.cpuUsage, user + system; floor: ≤ 2 s) for the first plan (everything to create) and for the
 *   converged plan after apply (everything to compare), which must be empty;
 * - `dataApi`: applying the same grants from scratch through the sandbox's Redshift Data API: statements,
 *   BatchExecuteStatement calls (floor: ≤ ceil(statements / 40)) and catalog queries of the plan.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { awsRuntime } from '../../src/aws/settings.js';
import { apply, plan, type PlanOptions } from '../../src/core/engine.js';
import type { Logger } from '../../src/core/provider.js';
import { providers } from '../../src/providers/index.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { createTestDatabase, dropRoles, rolesWithPrefix, startPgServer } from '../../__tests__/helpers/postgres.js';

const ROLES = 500;
const USERS = 2_000;
const SCHEMAS = 20;
const TABLES_PER_SCHEMA = 50;
/** Per role: USAGE on its schema + SELECT on 19 named tables = 20 grants; × 500 = 10,000. */
const TABLES_PER_ROLE = 19;
/** Per role: SELECT and UPDATE on two columns of one more table = 4 column grants; × 500 = 2,000. */
const COLUMN_GRANTS_PER_ROLE = 4;
const COLUMNS = ['id', 'a', 'b', 'c'];
/** Per role: EXECUTE on one function of its schema; × 500 = 500. */
const FUNCTIONS_PER_SCHEMA = 25;
const URL_ENV = 'CHARTER_BENCH_DB_URL';

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const schema = (s: number) => `s${pad(s, 2)}`;
const table = (t: number) => `t${pad(t, 2)}`;
const roleName = (r: number) => `bench_role_${pad(r, 3)}`;
const userName = (u: number) => `bench_user_${pad(u, 4)}`;
const fn = (f: number) => `f${pad(f, 2)}`;

function spec(connection: Record<string, unknown>) {
  const roles = Array.from({ length: ROLES }, (_, r) => {
    const s = schema(r % SCHEMAS);
    const first = Math.floor(r / SCHEMAS) % (TABLES_PER_SCHEMA - TABLES_PER_ROLE);
    return {
      name: roleName(r),
      privileges: {
        schemas: [{ schema: s, privileges: ['usage'] }],
        tables: [{ schema: s, names: Array.from({ length: TABLES_PER_ROLE }, (_, i) => table(first + i)), privileges: ['select'] }],
        columns: [{ schema: s, table: table(first + TABLES_PER_ROLE), columns: ['a', 'b'], privileges: ['select', 'update'] }],
        functions: [{ schema: s, names: [`${fn(Math.floor(r / SCHEMAS) % FUNCTIONS_PER_SCHEMA)}(integer)`], privileges: ['execute'] }],
      },
    };
  });
  const users = Array.from({ length: USERS }, (_, u) => ({ name: userName(u), roles: [roleName(u % ROLES)] }));
  // PUBLIC is a grantee like any other in managed schemas: USAGE on every schema and SELECT on one table each.
  const pub = {
    privileges: {
      schemas: Array.from({ length: SCHEMAS }, (_, s) => ({ schema: schema(s), privileges: ['usage'] })),
      tables: Array.from({ length: SCHEMAS }, (_, s) => ({ schema: schema(s), names: [table(0)], privileges: ['select'] })),
    },
  };
  return { connection, manage: { schemas: Array.from({ length: SCHEMAS }, (_, s) => schema(s)), ignorePrincipals: ['awsuser', 'etl'] }, public: pub, roles, users };
}

/** The policy as one YAML document in block style, as people write it (about 250 KB: under the 1 MiB file cap). */
function writePolicy(dir: string, connection: Record<string, unknown>): void {
  writeFileSync(join(dir, 'grants.yml'), stringify({ apiVersion: 'charter/v1', kind: 'RedshiftGrants', metadata: { name: 'bench' }, spec: spec(connection) }));
}

/** Counts catalog queries from the runtime's debug log line. */
function queryCounter(): { log: Logger; last: () => number } {
  let last = -1;
  return {
    log: {
      debug: (m) => {
        const match = /read the catalog in (\d+) queries/.exec(m);
        if (match) last = Number(match[1]);
      },
      info() {},
      warn() {},
    },
    last: () => last,
  };
}

async function cpuOf<T>(fn: () => Promise<T>): Promise<{ value: T; cpuMs: number; wallMs: number }> {
  const wall = performance.now();
  const start = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(start);
  return { value, cpuMs: Math.round((used.user + used.system) / 1000), wallMs: Math.round(performance.now() - wall) };
}

export interface RedshiftBench {
  roles: number;
  users: number;
  grants: number;
  columnGrants: number;
  functionGrants: number;
  memberships: number;
  postgres: {
    firstPlan: { changes: number; queries: number; cpuMs: number; wallMs: number };
    convergedPlan: { changes: number; queries: number; cpuMs: number; wallMs: number };
    applyMs: number;
    queryFloor: number;
    cpuFloorMs: number;
    ok: boolean;
  };
  dataApi: { statements: number; batchCalls: number; floor: number; planQueries: number; applyMs: number; convergedChanges: number; ok: boolean };
}

async function benchPostgres(): Promise<RedshiftBench['postgres']> {
  const server = await startPgServer();
  const db = await createTestDatabase(server);
  const dir = mkdtempSync(join(tmpdir(), 'charter-bench-redshift-'));
  try {
    const ddl: string[] = [];
    // New functions would otherwise grant EXECUTE to PUBLIC, which the policy does not declare.
    ddl.push('ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;');
    for (let s = 0; s < SCHEMAS; s++) {
      ddl.push(`CREATE SCHEMA ${schema(s)};`);
      for (let f = 0; f < FUNCTIONS_PER_SCHEMA; f++) ddl.push(`CREATE FUNCTION ${schema(s)}.${fn(f)}(integer) RETURNS integer LANGUAGE sql AS 'SELECT 1';`);
      for (let t = 0; t < TABLES_PER_SCHEMA; t++) ddl.push(`CREATE TABLE ${schema(s)}.${table(t)} (${COLUMNS.map((c) => `${c} int`).join(', ')});`);
    }
    await db.sql(ddl.join('\n'));
    writePolicy(dir, { dialect: 'postgres', urlFromEnv: URL_ENV });
    const counter = queryCounter();
    const options: PlanOptions = { cwd: dir, paths: ['grants.yml'], providers, salt: {}, runtime: { ...awsRuntime({}, counter.log), env: { [URL_ENV]: db.url } } };

    const first = await cpuOf(() => plan(options));
    const firstQueries = counter.last();
    const applied = await cpuOf(() => apply({ ...options, allowDestructive: false }));
    if (!applied.value.ok) throw new Error(`bench apply on PostgreSQL failed: ${applied.value.refused ?? applied.value.results.find((r) => r.status === 'failed')?.error}`);
    const converged = await cpuOf(() => plan(options));
    const result = {
      firstPlan: { changes: first.value.plan.changes.length, queries: firstQueries, cpuMs: first.cpuMs, wallMs: first.wallMs },
      convergedPlan: { changes: converged.value.plan.changes.length, queries: counter.last(), cpuMs: converged.cpuMs, wallMs: converged.wallMs },
      applyMs: applied.wallMs,
      queryFloor: 12,
      cpuFloorMs: 2_000,
      ok: false,
    };
    result.ok =
      result.convergedPlan.changes === 0 &&
      [result.firstPlan, result.convergedPlan].every((p) => p.queries >= 0 && p.queries <= result.queryFloor && p.cpuMs <= result.cpuFloorMs);
    return result;
  } finally {
    await db.drop();
    // The bench's roles are server-wide: remove them so the server is as it was.
    await dropRoles(server, await rolesWithPrefix(server, 'bench_'));
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchDataApi(): Promise<RedshiftBench['dataApi']> {
  const sandbox = await startSandbox({
    state: {
      redshift: {
        clusters: [
          {
            identifier: 'bench',
            databases: [
              {
                name: 'dev',
                superusers: ['awsuser'],
                schemas: Array.from({ length: SCHEMAS }, (_, s) => ({
                  name: schema(s),
                  tables: Array.from({ length: TABLES_PER_SCHEMA }, (_, t) => ({ name: table(t), columns: COLUMNS })),
                  functions: Array.from({ length: FUNCTIONS_PER_SCHEMA }, (_, f) => ({ name: fn(f), arguments: 'integer' })),
                })),
              },
            ],
          },
        ],
      },
    } as never,
  });
  const dir = mkdtempSync(join(tmpdir(), 'charter-bench-redshift-'));
  try {
    writePolicy(dir, { dialect: 'redshift', dataApi: { clusterIdentifier: 'bench', database: 'dev', dbUser: 'awsuser', region: 'us-east-1' } });
    const counter = queryCounter();
    // The sandbox answers at once: lift the client-side rate limit so the figure is Charter's, not the limiter's.
    const options: PlanOptions = { cwd: dir, paths: ['grants.yml'], providers, salt: {}, runtime: { ...awsRuntime({ endpoint: sandbox.endpoint, requestsPerSecond: { 'redshift-data': 100_000 } }, counter.log), pollIntervalMs: 1 } };
    const { plan: p } = await plan(options);
    const planQueries = counter.last();
    const statements = p.changes.reduce((n, c) => n + ((c.data as { sql?: string[] } | undefined)?.sql?.length ?? 0), 0);
    sandbox.stats.reset();
    const started = performance.now();
    const report = await apply({ ...options, allowDestructive: false });
    const applyMs = Math.round(performance.now() - started);
    if (!report.ok) throw new Error(`bench apply on the Data API failed: ${report.refused ?? report.results.find((r) => r.status === 'failed')?.error}`);
    const batchCalls = sandbox.stats.count('redshift-data', 'BatchExecuteStatement');
    const convergedChanges = (await plan(options)).plan.changes.length;
    const floor = Math.ceil(statements / 40);
    return { statements, batchCalls, floor, planQueries, applyMs, convergedChanges, ok: batchCalls <= floor && planQueries <= 12 && convergedChanges === 0 };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchRedshift(): Promise<RedshiftBench> {
  const postgres = await benchPostgres();
  const dataApi = await benchDataApi();
  return { roles: ROLES, users: USERS, grants: ROLES * (1 + TABLES_PER_ROLE), columnGrants: ROLES * COLUMN_GRANTS_PER_ROLE, functionGrants: ROLES, memberships: USERS, postgres, dataApi };
}
