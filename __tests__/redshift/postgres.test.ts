/**
 * RedshiftGrants, PostgreSQL dialect, against a real PostgreSQL server (../helpers/postgres.ts): every
 * test gets a fresh database and its own role-name prefix (roles are server-wide), and its policies
 * ignore every role without that prefix.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/run.js';
import { renderApplyReport, renderPlan } from '../../src/core/render/index.js';
import { createTestDatabase, dropRoles, ignoreAllBut, rolesWithPrefix, startPgServer, type PgServer, type TestDatabase } from '../helpers/postgres.js';
import { harness, pgConnection, URL_ENV } from './pg-harness.js';

let server: PgServer;
let db: TestDatabase;
let prefix: string;
let counter = 0;
const extraRoles: string[] = [];

beforeAll(async () => {
  server = await startPgServer();
});
afterAll(async () => {
  await server?.stop();
});

async function freshDatabase(): Promise<void> {
  prefix = `rg${process.pid % 1000}t${++counter}_`;
  db = await createTestDatabase(server);
  await db.sql(`
    CREATE SCHEMA sales;
    CREATE TABLE sales.orders (id int);
    CREATE TABLE sales.items (id int);
    CREATE SCHEMA marketing;
    CREATE SCHEMA other;
    CREATE TABLE other.secret (id int);
    CREATE TABLE public.t (id int);
  `);
}

afterEach(async () => {
  await db?.drop();
  await dropRoles(server, [...(await rolesWithPrefix(server, prefix)), ...extraRoles.splice(0)]);
});

const n = (name: string) => `${prefix}${name}`;

/** The RBAC walkthrough's shape on PostgreSQL: read-only and read-write roles, users in them. */
function salesSpec(extra: Record<string, unknown> = {}) {
  return {
    connection: pgConnection,
    manage: { schemas: ['sales', 'marketing'], ignorePrincipals: ignoreAllBut(prefix), ...extra },
    roles: [
      { name: n('sales_ro'), privileges: { schemas: [{ schema: 'sales', privileges: ['usage'] }], tables: [{ schema: 'sales', allTables: true, privileges: ['select'] }] } },
      {
        name: n('sales_rw'),
        memberOf: [n('sales_ro')],
        privileges: {
          tables: [{ schema: 'sales', allTables: true, privileges: ['insert', 'update', 'delete'] }],
          futureTables: [{ schema: 'sales', owner: n('loader'), privileges: ['select', 'insert'] }],
        },
      },
    ],
    users: [
      { name: n('loader') },
      { name: n('analyst'), roles: [n('sales_ro')] },
      { name: n('engineer'), roles: [n('sales_rw')], privileges: { tables: [{ schema: 'sales', names: ['items'], privileges: ['truncate'] }] } },
    ],
  };
}

async function hasTablePrivilege(role: string, table: string, privilege: string): Promise<boolean> {
  const [row] = await db.sql('SELECT has_table_privilege($1, $2, $3) AS ok', [role, table, privilege]);
  return row.ok === true;
}

/** `charter import` of the policy in `h`, through the CLI; returns the imported spec. */
async function importSpec(h: ReturnType<typeof harness>): Promise<Record<string, unknown>> {
  const out = join(h.dir, 'imported.yml');
  process.env[URL_ENV] = db.url;
  try {
    expect(await main(['import', 'grants.yml', '--cwd', h.dir, '--out', out], { out: () => {}, err: () => {} })).toBe(0);
  } finally {
    delete process.env[URL_ENV];
  }
  return parse(readFileSync(out, 'utf8')).spec as Record<string, unknown>;
}

describe('RedshiftGrants on PostgreSQL', () => {
  it('converges: plan shows the exact SQL, apply runs it in one transaction, the next plan is empty', async () => {
    await freshDatabase();
    const h = harness(db.url);
    h.write(salesSpec());
    const { plan } = await h.plan();
    expect(plan.diagnostics).toEqual([]);
    expect(plan.changes.map((c) => c.title)).toEqual([
      `CREATE ROLE "${n('sales_ro')}"`,
      `CREATE ROLE "${n('sales_rw')}"`,
      `CREATE ROLE "${n('analyst')}" LOGIN`,
      `CREATE ROLE "${n('engineer')}" LOGIN`,
      `CREATE ROLE "${n('loader')}" LOGIN`,
      `GRANT "${n('sales_ro')}" TO "${n('sales_rw')}"`,
      `GRANT "${n('sales_ro')}" TO "${n('analyst')}"`,
      `GRANT "${n('sales_rw')}" TO "${n('engineer')}"`,
      `GRANT USAGE ON SCHEMA "sales" TO "${n('sales_ro')}"`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO "${n('sales_ro')}"`,
      `GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "sales" TO "${n('sales_rw')}"`,
      `GRANT TRUNCATE ON TABLE "sales"."items" TO "${n('engineer')}"`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE "${n('loader')}" IN SCHEMA "sales" GRANT SELECT, INSERT ON TABLES TO "${n('sales_rw')}"`,
    ]);
    expect(plan.changes.every((c) => c.risk === 'safe')).toBe(true);
    // The text plan carries each statement.
    expect(renderPlan(plan, 'text')).toContain(`GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO "${n('sales_ro')}"`);

    const report = await h.apply(false);
    expect(report.refused).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.results.every((r) => r.status === 'applied' && r.detail === 'transaction committed')).toBe(true);

    expect(await hasTablePrivilege(n('analyst'), 'sales.orders', 'SELECT')).toBe(true); // through sales_ro
    expect(await hasTablePrivilege(n('analyst'), 'sales.orders', 'INSERT')).toBe(false);
    expect(await hasTablePrivilege(n('engineer'), 'sales.items', 'INSERT')).toBe(true); // sales_rw
    expect(await hasTablePrivilege(n('engineer'), 'sales.items', 'TRUNCATE')).toBe(true);
    expect(await hasTablePrivilege(n('engineer'), 'other.secret', 'SELECT')).toBe(false);

    const again = await h.plan();
    expect(again.plan.changes).toEqual([]);
    expect(again.plan.diagnostics).toEqual([]);

    // Future tables: a table the loader creates gets the default privileges, and "all tables" still holds.
    await db.sql(`GRANT CREATE, USAGE ON SCHEMA sales TO "${n('loader')}"; SET ROLE "${n('loader')}"; CREATE TABLE sales.fresh (id int); RESET ROLE;`);
    expect(await hasTablePrivilege(n('sales_rw'), 'sales.fresh', 'INSERT')).toBe(true);
    const afterNewTable = await h.plan();
    // The loader's own new grants are not declared: revoked. sales_ro lacks SELECT on the new table: granted again.
    expect(afterNewTable.plan.changes.map((c) => c.title)).toEqual([
      `GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO "${n('sales_ro')}"`,
      `GRANT UPDATE, DELETE ON ALL TABLES IN SCHEMA "sales" TO "${n('sales_rw')}"`,
      `REVOKE USAGE, CREATE ON SCHEMA "sales" FROM "${n('loader')}"`,
    ]);
  });

  it('reports a manual GRANT or REVOKE outside Charter as drift, and an empty schema is not drift', async () => {
    await freshDatabase();
    const h = harness(db.url);
    h.write({ ...salesSpec(), roles: [...salesSpec().roles, { name: n('mkt_ro'), privileges: { tables: [{ schema: 'marketing', allTables: true, privileges: ['select'] }] } }] });
    expect((await h.apply()).ok).toBe(true);
    expect((await h.plan()).plan.changes).toEqual([]); // marketing has no tables: nothing to grant, no drift

    await db.sql(`GRANT INSERT ON sales.orders TO "${n('sales_ro')}"; REVOKE USAGE ON SCHEMA sales FROM "${n('sales_ro')}"; REVOKE SELECT ON sales.items FROM "${n('sales_ro')}"; REVOKE "${n('sales_ro')}" FROM "${n('analyst')}"`);
    const { plan } = await h.plan();
    expect(plan.changes.map((c) => [c.title, c.action, c.risk])).toEqual([
      [`GRANT "${n('sales_ro')}" TO "${n('analyst')}"`, 'create', 'safe'],
      [`GRANT USAGE ON SCHEMA "sales" TO "${n('sales_ro')}"`, 'create', 'safe'],
      [`GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO "${n('sales_ro')}"`, 'create', 'safe'],
      [`REVOKE INSERT ON TABLE "sales"."orders" FROM "${n('sales_ro')}"`, 'delete', 'destructive'],
    ]);
    expect((await h.apply()).ok).toBe(true);
    expect((await h.plan()).plan.changes).toEqual([]);
  });

  it('dry-apply executes the plan in a transaction and rolls it back; a failing statement is reported and nothing changes', async () => {
    await freshDatabase();
    const h = harness(db.url);
    h.write(salesSpec());
    const ok = await h.dryApply();
    expect(ok.refused).toBeUndefined();
    expect(ok.ok).toBe(true);
    expect(ok.results.every((r) => r.status === 'applied' && r.detail?.includes('rolled back'))).toBe(true);
    expect(await rolesWithPrefix(server, prefix)).toEqual([]);
    expect((await h.plan()).plan.changes).toHaveLength(13);

    // A future-table owner that does not exist: PostgreSQL refuses, after the roles were created in the same transaction.
    const spec = salesSpec();
    spec.roles[1].privileges.futureTables = [{ schema: 'sales', owner: n('nobody'), privileges: ['select'] }];
    h.write(spec);
    const failed = await h.dryApply();
    expect(failed.ok).toBe(false);
    const bad = failed.results.find((r) => r.status === 'failed');
    expect(bad?.address).toBe(`redshift/grants/role/${n('sales_rw')}/future-tables/sales/${n('nobody')}/grant`);
    expect(bad?.error).toContain(`role "${n('nobody')}" does not exist`);
    expect(bad?.error).toContain(`ALTER DEFAULT PRIVILEGES FOR ROLE "${n('nobody')}"`);
    // Changes before it were rolled back with the transaction, later ones not attempted.
    expect(failed.results.filter((r) => r.status === 'not-attempted')).toHaveLength(12);
    expect(await rolesWithPrefix(server, prefix)).toEqual([]);

    // The CLI says so, and exits 1.
    const out: string[] = [];
    const err: string[] = [];
    process.env[URL_ENV] = db.url;
    try {
      const code = await main(['plan', 'grants.yml', '--dry-apply', '--cwd', h.dir], { out: (t) => out.push(t), err: (t) => err.push(t) });
      expect(code).toBe(1);
    } finally {
      delete process.env[URL_ENV];
    }
    expect(err.join('\n')).toContain(`Dry-apply failed at redshift/grants/role/${n('sales_rw')}/future-tables/sales/${n('nobody')}/grant`);
    expect(err.join('\n')).toContain('rolled back; nothing changed');
    expect(await rolesWithPrefix(server, prefix)).toEqual([]);
  });

  it('import writes a policy from the live database; planning it right after gives no changes', async () => {
    await freshDatabase();
    await db.sql(`
      CREATE ROLE "${n('ro')}";
      CREATE ROLE "${n('rw')}";
      CREATE ROLE "${n('owner')}" LOGIN;
      CREATE ROLE "${n('ana')}" LOGIN;
      GRANT "${n('ro')}" TO "${n('rw')}";
      GRANT "${n('rw')}" TO "${n('ana')}";
      GRANT USAGE ON SCHEMA sales TO "${n('ro')}";
      GRANT SELECT ON ALL TABLES IN SCHEMA sales TO "${n('ro')}";
      GRANT INSERT ON sales.orders TO "${n('rw')}";
      GRANT SELECT ON other.secret TO "${n('rw')}";
      ALTER DEFAULT PRIVILEGES FOR ROLE "${n('owner')}" IN SCHEMA sales GRANT SELECT ON TABLES TO "${n('ro')}";
      GRANT USAGE ON SCHEMA marketing TO PUBLIC;
      GRANT SELECT ON sales.items TO PUBLIC;
      GRANT SELECT ON other.secret TO PUBLIC;
    `);
    const h = harness(db.url);
    writeFileSync(
      h.file,
      `# Grants of the analytics database
apiVersion: charter/v1
kind: RedshiftGrants
metadata:
  name: analytics
spec:
  connection:
    dialect: postgres
    urlFromEnv: ${URL_ENV} # set by CI
  manage:
    schemas: [sales, marketing]
    ignorePrincipals: ${JSON.stringify(ignoreAllBut(prefix))}
`,
    );
    const out: string[] = [];
    const err: string[] = [];
    process.env[URL_ENV] = db.url;
    try {
      expect(await main(['import', 'grants.yml', '--cwd', h.dir, '--out', join(h.dir, 'imported.yml')], { out: (t) => out.push(t), err: (t) => err.push(t) })).toBe(0);
    } finally {
      delete process.env[URL_ENV];
    }
    const text = readFileSync(join(h.dir, 'imported.yml'), 'utf8');
    expect(text).toContain('# Grants of the analytics database');
    expect(text).toContain('urlFromEnv: CHARTER_TEST_DB_URL # set by CI');
    expect(text).not.toContain(db.url);
    expect(text).toContain(`- name: ${n('ro')}`);
    // PUBLIC's privileges in the managed schemas are imported under spec.public.
    expect(parse(text).spec.public).toEqual({ privileges: { schemas: [{ schema: 'marketing', privileges: ['usage'] }], tables: [{ schema: 'sales', names: ['items'], privileges: ['select'] }] } });
    expect(text).not.toContain('other'); // outside the managed schemas
    expect(text).not.toMatch(/name: postgres/); // the connecting superuser is a system principal
    expect(err.join('\n')).toBe('');

    writeFileSync(h.file, text);
    const { plan } = await h.plan();
    expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(plan.changes).toEqual([]);
  });

  it('PUBLIC: a grant to PUBLIC in a managed schema is drift, revoked as a disruptive change naming who loses access; a declared one converges', async () => {
    await freshDatabase();
    await db.sql(`
      CREATE TABLE marketing.region (id int);
      CREATE ROLE "${n('viewer')}" LOGIN;
      CREATE ROLE "${n('marketing_ro')}";
      CREATE ROLE "${n('marketinganalyst')}" LOGIN;
      GRANT "${n('marketing_ro')}" TO "${n('marketinganalyst')}";
      GRANT USAGE ON SCHEMA marketing TO PUBLIC;
      GRANT SELECT ON marketing.region TO PUBLIC;
      GRANT SELECT ON other.secret TO PUBLIC;
    `);
    const h = harness(db.url);
    const spec = (extra: Record<string, unknown> = {}) => ({
      connection: pgConnection,
      manage: { schemas: ['marketing'], ignorePrincipals: [...ignoreAllBut(prefix), n('viewer')] },
      roles: [{ name: n('marketing_ro'), privileges: { schemas: [{ schema: 'marketing', privileges: ['usage'] }], tables: [{ schema: 'marketing', allTables: true, privileges: ['select'] }] } }],
      users: [{ name: n('marketinganalyst'), roles: [n('marketing_ro')] }],
      ...extra,
    });
    h.write(spec());
    expect(await hasTablePrivilege(n('viewer'), 'marketing.region', 'SELECT')).toBe(true);
    const { plan } = await h.plan();
    expect(plan.changes.map((c) => [c.title, c.risk])).toEqual([
      [`GRANT USAGE ON SCHEMA "marketing" TO "${n('marketing_ro')}"`, 'safe'],
      [`GRANT SELECT ON ALL TABLES IN SCHEMA "marketing" TO "${n('marketing_ro')}"`, 'safe'],
      ['REVOKE SELECT ON TABLE "marketing"."region" FROM PUBLIC', 'disruptive'],
      ['REVOKE USAGE ON SCHEMA "marketing" FROM PUBLIC', 'disruptive'],
    ]);
    // The viewer (ignored, but it still loses access) holds it only through PUBLIC; the analyst keeps it through marketing_ro.
    expect(plan.changes[3].reason).toBe(`PUBLIC holds usage on schema marketing, which the policy does not declare; 1 user(s) lose access, holding it through no other grant: ${n('viewer')}`);
    expect((await h.apply(false)).refused).toMatch(/disruptive|destructive/);
    expect((await h.apply(true)).ok).toBe(true);
    expect(await hasTablePrivilege(n('viewer'), 'marketing.region', 'SELECT')).toBe(false);
    expect(await hasTablePrivilege(n('marketinganalyst'), 'marketing.region', 'SELECT')).toBe(true);
    // Outside the managed schemas PUBLIC keeps what it has.
    expect(await hasTablePrivilege(n('viewer'), 'other.secret', 'SELECT')).toBe(true);
    expect((await h.plan()).plan.changes).toEqual([]);

    // Declared: granted TO PUBLIC, then no drift.
    h.write(spec({ public: { privileges: { schemas: [{ schema: 'marketing', privileges: ['usage'] }] } } }));
    expect((await h.plan()).plan.changes.map((c) => c.title)).toEqual(['GRANT USAGE ON SCHEMA "marketing" TO PUBLIC']);
    expect((await h.apply(false)).ok).toBe(true);
    expect((await h.plan()).plan.changes).toEqual([]);
  });

  it('column privileges: granted per table in one statement, drift (a column granted by hand, PUBLIC on a column) revoked, a missing column reported, import round-trips', async () => {
    await freshDatabase();
    await db.sql(`
      CREATE TABLE sales.customers (id int, name text, email text, "Credit ""Card""" text);
      CREATE ROLE "${n('support')}";
      CREATE ROLE "${n('intruder')}";
      GRANT SELECT (email) ON sales.customers TO PUBLIC;
    `);
    const h = harness(db.url);
    const spec = (columns: unknown[]) => ({
      connection: pgConnection,
      manage: { schemas: ['sales'], ignorePrincipals: ignoreAllBut(prefix) },
      roles: [{ name: n('support'), privileges: { schemas: [{ schema: 'sales', privileges: ['usage'] }], columns } }],
    });
    h.write(spec([{ schema: 'sales', table: 'customers', columns: ['name', 'id'], privileges: ['select', 'update'] }, { schema: 'sales', table: 'orders', columns: ['id'], privileges: ['select'] }]));
    const first = await h.plan();
    expect(first.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(first.plan.changes.map((c) => [c.phase, c.title, c.risk])).toEqual([
      [7, `GRANT USAGE ON SCHEMA "sales" TO "${n('support')}"`, 'safe'],
      [9, `GRANT SELECT ("id", "name"), UPDATE ("id", "name") ON TABLE "sales"."customers" TO "${n('support')}"`, 'safe'],
      [9, `GRANT SELECT ("id") ON TABLE "sales"."orders" TO "${n('support')}"`, 'safe'],
      [12, 'REVOKE SELECT ("email") ON TABLE "sales"."customers" FROM PUBLIC', 'disruptive'],
    ]);
    expect(first.plan.changes[1].after).toEqual({ grantee: n('support'), on: { schema: 'sales', table: 'customers' }, columns: { select: ['id', 'name'], update: ['id', 'name'] } });
    expect((await h.apply(true)).ok).toBe(true);
    const [priv] = await db.sql(
      `SELECT has_column_privilege($1, 'sales.customers', 'name', 'SELECT') AS name, has_column_privilege($1, 'sales.customers', 'email', 'SELECT') AS email, has_column_privilege($1, 'sales.customers', 'id', 'UPDATE') AS upd`,
      [n('support')],
    );
    expect(priv).toEqual({ name: true, email: false, upd: true });
    expect((await h.plan()).plan.changes).toEqual([]);

    // Drift: columns granted by hand to the role (one with a quoted name) and to an undeclared role, one revoked by hand.
    await db.sql(`GRANT SELECT (email, "Credit ""Card""") ON sales.customers TO "${n('support')}"; GRANT UPDATE (email) ON sales.customers TO "${n('intruder')}"; REVOKE UPDATE (name) ON sales.customers FROM "${n('support')}"`);
    const drift = await h.plan();
    expect(drift.plan.changes.map((c) => [c.title, c.risk])).toEqual([
      [`GRANT UPDATE ("name") ON TABLE "sales"."customers" TO "${n('support')}"`, 'safe'],
      [`REVOKE UPDATE ("email") ON TABLE "sales"."customers" FROM "${n('intruder')}"`, 'destructive'],
      [`REVOKE SELECT ("Credit ""Card""", "email") ON TABLE "sales"."customers" FROM "${n('support')}"`, 'destructive'],
    ]);
    expect((await h.apply(true)).ok).toBe(true);
    expect((await h.plan()).plan.changes).toEqual([]);

    // Import describes the column grants; planning it gives no changes.
    const imported = await importSpec(h);
    expect((imported.roles as Array<{ name: string; privileges: unknown }>).find((r) => r.name === n('support'))?.privileges).toEqual({
      schemas: [{ schema: 'sales', privileges: ['usage'] }],
      columns: [
        { schema: 'sales', table: 'customers', columns: ['id', 'name'], privileges: ['select', 'update'] },
        { schema: 'sales', table: 'orders', columns: ['id'], privileges: ['select'] },
      ],
    });
    h.write(imported);
    expect((await h.plan()).plan.changes).toEqual([]);

    // A column that does not exist is a positioned plan error, not a failed apply.
    h.write(spec([{ schema: 'sales', table: 'customers', columns: ['nope'], privileges: ['select'] }]));
    const missing = await h.plan();
    expect(missing.plan.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.message])).toEqual([['redshift/column-not-found', 'Column nope of table sales.customers does not exist in the database']]);
  });

  it('user attributes: CREATEDB and CONNECTION LIMIT are created, drift is repaired (lowering a limit is disruptive), undeclared ones are left alone, import writes them', async () => {
    await freshDatabase();
    const h = harness(db.url);
    const spec = (users: unknown[]) => ({ connection: pgConnection, manage: { schemas: ['sales'], ignorePrincipals: ignoreAllBut(prefix) }, users });
    h.write(spec([{ name: n('etl'), createdb: true, connectionLimit: 5 }, { name: n('analyst') }]));
    const first = await h.plan();
    expect(first.plan.changes.map((c) => c.title)).toEqual([`CREATE ROLE "${n('analyst')}" LOGIN`, `CREATE ROLE "${n('etl')}" LOGIN CREATEDB CONNECTION LIMIT 5`]);
    expect((await h.apply(false)).ok).toBe(true);
    const attrs = async (role: string) => (await db.sql('SELECT rolcreatedb AS createdb, rolconnlimit AS connlimit FROM pg_roles WHERE rolname = $1', [role]))[0];
    expect(await attrs(n('etl'))).toEqual({ createdb: true, connlimit: 5 });
    expect((await h.plan()).plan.changes).toEqual([]);

    // Out of band: the limit is raised and CREATEDB dropped on etl; the analyst (no attributes declared) gets CREATEDB.
    await db.sql(`ALTER ROLE "${n('etl')}" NOCREATEDB CONNECTION LIMIT 50; ALTER ROLE "${n('analyst')}" CREATEDB`);
    const drift = await h.plan();
    expect(drift.plan.changes.map((c) => [c.address, c.data, c.risk])).toEqual([
      [`redshift/grants/user/${n('etl')}/attributes`, { sql: [`ALTER ROLE "${n('etl')}" CREATEDB`, `ALTER ROLE "${n('etl')}" CONNECTION LIMIT 5`] }, 'disruptive'],
    ]);
    expect(drift.plan.changes[0].reason).toBe(`${n('etl')}: createdb false → true; connectionLimit 50 → 5 (restricts what the user may do)`);
    expect((await h.apply(true)).ok).toBe(true);
    expect(await attrs(n('etl'))).toEqual({ createdb: true, connlimit: 5 });
    expect(await attrs(n('analyst'))).toEqual({ createdb: true, connlimit: -1 });

    // Unlimited is -1 on PostgreSQL; raising a limit is safe.
    h.write(spec([{ name: n('etl'), createdb: true, connectionLimit: 'unlimited' }, { name: n('analyst') }]));
    const raise = await h.plan();
    expect(raise.plan.changes.map((c) => [c.title, c.risk])).toEqual([[`ALTER ROLE "${n('etl')}" CONNECTION LIMIT -1`, 'safe']]);
    expect((await h.apply(false)).ok).toBe(true);
    expect((await h.plan()).plan.changes).toEqual([]);

    const imported = await importSpec(h);
    expect(imported.users).toEqual([{ name: n('analyst'), createdb: true }, { name: n('etl'), createdb: true }]);
  });

  it('VALID UNTIL: created with the user, an out-of-band change is drift (an earlier expiry is disruptive), infinity clears it, import writes it', async () => {
    await freshDatabase();
    const h = harness(db.url);
    const spec = (validUntil?: string) => ({ connection: pgConnection, manage: { schemas: ['sales'], ignorePrincipals: ignoreAllBut(prefix) }, users: [{ name: n('temp'), ...(validUntil ? { validUntil } : {}) }] });
    // A zone other than UTC is converted: the plan always sends UTC.
    h.write(spec('2031-06-30T14:00:00+02:00'));
    const first = await h.plan();
    expect(first.plan.changes.map((c) => c.title)).toEqual([`CREATE ROLE "${n('temp')}" LOGIN VALID UNTIL '2031-06-30 12:00:00+00'`]);
    expect((await h.apply(false)).ok).toBe(true);
    const until = async () => (await db.sql(`SELECT to_char(rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS v FROM pg_roles WHERE rolname = $1`, [n('temp')]))[0].v;
    expect(await until()).toBe('2031-06-30 12:00:00');
    // The same instant written another way is no change; the session's time zone does not matter.
    await db.sql(`ALTER DATABASE "${db.name}" SET timezone TO 'America/New_York'`);
    h.write(spec('2031-06-30 12:00:00Z'));
    expect((await h.plan()).plan.changes).toEqual([]);

    // Out of band: extended by a year. Back to the policy's date is an earlier expiry: disruptive.
    await db.sql(`ALTER ROLE "${n('temp')}" VALID UNTIL '2032-06-30 12:00:00+00'`);
    const drift = await h.plan();
    expect(drift.plan.changes.map((c) => [c.address, c.title, c.risk, c.reason])).toEqual([
      [`redshift/grants/user/${n('temp')}/attributes`, `ALTER ROLE "${n('temp')}" VALID UNTIL '2031-06-30 12:00:00+00'`, 'disruptive', `${n('temp')}: validUntil "2032-06-30T12:00:00Z" → "2031-06-30T12:00:00Z" (restricts what the user may do)`],
    ]);
    expect((await h.apply(true)).ok).toBe(true);
    expect(await until()).toBe('2031-06-30 12:00:00');
    expect((await h.plan()).plan.changes).toEqual([]);
    expect((await importSpec(h)).users).toEqual([{ name: n('temp'), validUntil: '2031-06-30T12:00:00Z' }]);

    // infinity: never expires (safe); an undeclared validUntil is left alone.
    h.write(spec('infinity'));
    const clear = await h.plan();
    expect(clear.plan.changes.map((c) => [c.title, c.risk])).toEqual([[`ALTER ROLE "${n('temp')}" VALID UNTIL 'infinity'`, 'safe']]);
    expect((await h.apply(false)).ok).toBe(true);
    expect(await until()).toBe(null);
    expect((await h.plan()).plan.changes).toEqual([]);
    await db.sql(`ALTER ROLE "${n('temp')}" VALID UNTIL '2030-01-01'`);
    h.write(spec());
    expect((await h.plan()).plan.changes).toEqual([]);
  });

  it('WITH GRANT OPTION: granted with the privilege, added or revoked on its own (the privilege kept), imported', async () => {
    await freshDatabase();
    const h = harness(db.url);
    const spec = (option: true | string[] | undefined) => ({
      connection: pgConnection,
      manage: { schemas: ['sales'], ignorePrincipals: ignoreAllBut(prefix) },
      roles: [{ name: n('lead'), privileges: { schemas: [{ schema: 'sales', privileges: ['usage'], ...(option ? { withGrantOption: option } : {}) }], tables: [{ schema: 'sales', names: ['orders'], privileges: ['select', 'insert'], ...(option ? { withGrantOption: ['select'] } : {}) }] } }],
    });
    h.write(spec(true));
    const first = await h.plan();
    expect(first.plan.changes.map((c) => c.title)).toEqual([
      `CREATE ROLE "${n('lead')}"`,
      `GRANT USAGE ON SCHEMA "sales" TO "${n('lead')}" WITH GRANT OPTION`,
      `GRANT INSERT ON TABLE "sales"."orders" TO "${n('lead')}"`,
      `GRANT SELECT ON TABLE "sales"."orders" TO "${n('lead')}" WITH GRANT OPTION`,
    ]);
    expect((await h.apply(false)).ok).toBe(true);
    const grantable = async () => (await db.sql(`SELECT privilege_type::text AS p, is_grantable::text AS g FROM information_schema.role_table_grants WHERE grantee = $1 ORDER BY 1`, [n('lead')])).map((r) => `${r.p}:${r.g}`);
    expect(await grantable()).toEqual(['INSERT:NO', 'SELECT:YES']);
    expect((await h.plan()).plan.changes).toEqual([]);
    expect((await importSpec(h)).roles).toEqual([
      { name: n('lead'), privileges: { schemas: [{ schema: 'sales', privileges: ['usage'], withGrantOption: true }], tables: [{ schema: 'sales', names: ['orders'], privileges: ['select', 'insert'], withGrantOption: ['select'] }] } },
    ]);

    // Without the option in the policy: only the option is revoked (destructive), the privileges stay.
    h.write(spec(undefined));
    const drop = await h.plan();
    expect(drop.plan.changes.map((c) => [c.title, c.action, c.risk])).toEqual([
      [`REVOKE GRANT OPTION FOR SELECT ON TABLE "sales"."orders" FROM "${n('lead')}"`, 'update', 'destructive'],
      [`REVOKE GRANT OPTION FOR USAGE ON SCHEMA "sales" FROM "${n('lead')}"`, 'update', 'destructive'],
    ]);
    expect((await h.apply(true)).ok).toBe(true);
    expect(await grantable()).toEqual(['INSERT:NO', 'SELECT:NO']);
    expect((await h.plan()).plan.changes).toEqual([]);

    // Given out of band again while the policy asks for it: the option alone is granted (safe).
    h.write(spec(true));
    expect((await h.plan()).plan.changes.map((c) => [c.title, c.action, c.risk])).toEqual([
      [`GRANT USAGE ON SCHEMA "sales" TO "${n('lead')}" WITH GRANT OPTION`, 'update', 'safe'],
      [`GRANT SELECT ON TABLE "sales"."orders" TO "${n('lead')}" WITH GRANT OPTION`, 'update', 'safe'],
    ]);
  });

  it('functions and procedures: EXECUTE granted by signature, PUBLIC\'s default EXECUTE is drift (disruptive), a wrong signature or kind is a plan error, import round-trips', async () => {
    await freshDatabase();
    await db.sql(`
      CREATE FUNCTION sales.mask(email character varying, keep integer) RETURNS text LANGUAGE sql AS 'SELECT ''***''';
      CREATE FUNCTION sales.mask(email text) RETURNS text LANGUAGE sql AS 'SELECT ''***''';
      CREATE PROCEDURE sales.refresh() LANGUAGE sql AS 'SELECT 1';
      CREATE ROLE "${n('support')}";
      CREATE ROLE "${n('viewer')}" LOGIN;
    `);
    const h = harness(db.url);
    const spec = (privileges: Record<string, unknown>) => ({
      connection: pgConnection,
      manage: { schemas: ['sales'], ignorePrincipals: [...ignoreAllBut(prefix), n('viewer')] },
      roles: [{ name: n('support'), privileges: { schemas: [{ schema: 'sales', privileges: ['usage'] }], ...privileges } }],
    });
    h.write(spec({ functions: [{ schema: 'sales', names: ['mask(character  varying,INTEGER)'], privileges: ['execute'] }], procedures: [{ schema: 'sales', names: ['refresh()'], privileges: ['execute'] }] }));
    const first = await h.plan();
    expect(first.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(first.plan.changes.map((c) => [c.title, c.risk])).toEqual([
      [`GRANT USAGE ON SCHEMA "sales" TO "${n('support')}"`, 'safe'],
      [`GRANT EXECUTE ON FUNCTION "sales"."mask"(character varying, integer) TO "${n('support')}"`, 'safe'],
      [`GRANT EXECUTE ON PROCEDURE "sales"."refresh"() TO "${n('support')}"`, 'safe'],
      // PostgreSQL grants EXECUTE to PUBLIC on every new function and procedure.
      ['REVOKE EXECUTE ON FUNCTION "sales"."mask"(character varying, integer) FROM PUBLIC', 'disruptive'],
      ['REVOKE EXECUTE ON FUNCTION "sales"."mask"(text) FROM PUBLIC', 'disruptive'],
      ['REVOKE EXECUTE ON PROCEDURE "sales"."refresh"() FROM PUBLIC', 'disruptive'],
    ]);
    expect(first.plan.changes[4].reason).toBe(`PUBLIC holds execute on function sales.mask(text), which the policy does not declare; 1 user(s) lose access, holding it through no other grant: ${n('viewer')}`);
    expect((await h.apply(true)).ok).toBe(true);
    const can = async (role: string, fn: string) => (await db.sql('SELECT has_function_privilege($1, $2, $3) AS ok', [role, fn, 'EXECUTE']))[0].ok;
    expect(await can(n('support'), 'sales.mask(character varying, integer)')).toBe(true);
    expect(await can(n('viewer'), 'sales.mask(text)')).toBe(false);
    expect((await h.plan()).plan.changes).toEqual([]);

    // Drift: EXECUTE granted by hand; import writes the signatures back and plans to nothing.
    await db.sql(`GRANT EXECUTE ON FUNCTION sales.mask(text) TO "${n('support')}"`);
    expect((await h.plan()).plan.changes.map((c) => c.title)).toEqual([`REVOKE EXECUTE ON FUNCTION "sales"."mask"(text) FROM "${n('support')}"`]);
    expect((await h.apply(true)).ok).toBe(true);
    const imported = await importSpec(h);
    expect((imported.roles as Array<{ name: string; privileges: Record<string, unknown> }>).find((r) => r.name === n('support'))?.privileges).toMatchObject({
      functions: [{ schema: 'sales', names: ['mask(character varying, integer)'], privileges: ['execute'] }],
      procedures: [{ schema: 'sales', names: ['refresh()'], privileges: ['execute'] }],
    });
    h.write(imported);
    expect((await h.plan()).plan.changes).toEqual([]);

    // A signature that does not exist, or a procedure listed as a function: positioned plan errors.
    h.write(spec({ functions: [{ schema: 'sales', names: ['mask(integer)', 'refresh()'], privileges: ['execute'] }] }));
    const wrong = await h.plan();
    expect(wrong.plan.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([
      'Function sales.mask(integer) does not exist in the database',
      'Function sales.refresh() does not exist in the database (it is a procedure: list it under procedures)',
    ]);
  });

  it('ALL FUNCTIONS / ALL PROCEDURES IN SCHEMA: one statement for every existing routine of the kind, a routine that lacks it is drift, import writes allInSchema', async () => {
    await freshDatabase();
    await db.sql(`
      CREATE FUNCTION sales.mask(email text) RETURNS text LANGUAGE sql AS 'SELECT ''***''';
      CREATE FUNCTION sales.round_to(integer) RETURNS integer LANGUAGE sql AS 'SELECT 1';
      CREATE PROCEDURE sales.refresh() LANGUAGE sql AS 'SELECT 1';
      CREATE PROCEDURE sales.purge(integer) LANGUAGE sql AS 'SELECT 1';
      REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA sales FROM PUBLIC;
      REVOKE EXECUTE ON ALL PROCEDURES IN SCHEMA sales FROM PUBLIC;
      CREATE ROLE "${n('support')}";
      CREATE ROLE "${n('ops')}";
    `);
    const h = harness(db.url);
    const spec = {
      connection: pgConnection,
      manage: { schemas: ['sales'], ignorePrincipals: ignoreAllBut(prefix) },
      roles: [
        { name: n('support'), privileges: { schemas: [{ schema: 'sales', privileges: ['usage'] }], functions: [{ schema: 'sales', allInSchema: true, privileges: ['execute'] }] } },
        { name: n('ops'), privileges: { schemas: [{ schema: 'sales', privileges: ['usage'] }], procedures: [{ schema: 'sales', allInSchema: true, privileges: ['execute'] }] } },
      ],
    };
    h.write(spec);
    const first = await h.plan();
    expect(first.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(first.plan.changes.filter((c) => c.title.includes('EXECUTE')).map((c) => [c.title, c.risk])).toEqual([
      [`GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA "sales" TO "${n('ops')}"`, 'safe'],
      [`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "sales" TO "${n('support')}"`, 'safe'],
    ]);
    expect((await h.apply(false)).ok).toBe(true);
    const can = async (role: string, fn: string) => (await db.sql('SELECT has_function_privilege($1, $2, $3) AS ok', [role, fn, 'EXECUTE']))[0].ok;
    expect(await can(n('support'), 'sales.round_to(integer)')).toBe(true);
    expect(await can(n('ops'), 'sales.purge(integer)')).toBe(true);
    // ALL FUNCTIONS leaves procedures alone, and the reverse.
    expect(await can(n('support'), 'sales.purge(integer)')).toBe(false);
    expect((await h.plan()).plan.changes).toEqual([]);

    // A new function lacks it until the next apply (ALL covers existing routines only); a hand-granted procedure is drift.
    await db.sql(`CREATE FUNCTION sales.fresh(integer) RETURNS integer LANGUAGE sql AS 'SELECT 1'; REVOKE EXECUTE ON FUNCTION sales.fresh(integer) FROM PUBLIC; GRANT EXECUTE ON PROCEDURE sales.refresh() TO "${n('support')}"`);
    expect((await h.plan()).plan.changes.map((c) => [c.title, c.risk])).toEqual([
      [`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "sales" TO "${n('support')}"`, 'safe'],
      [`REVOKE EXECUTE ON PROCEDURE "sales"."refresh"() FROM "${n('support')}"`, 'destructive'],
    ]);
    expect((await h.apply(true)).ok).toBe(true);
    expect(await can(n('support'), 'sales.fresh(integer)')).toBe(true);
    expect((await h.plan()).plan.changes).toEqual([]);

    const imported = await importSpec(h);
    const roles = imported.roles as Array<{ name: string; privileges: Record<string, unknown> }>;
    expect(roles.find((r) => r.name === n('support'))?.privileges.functions).toEqual([{ schema: 'sales', allInSchema: true, privileges: ['execute'] }]);
    expect(roles.find((r) => r.name === n('ops'))?.privileges.procedures).toEqual([{ schema: 'sales', allInSchema: true, privileges: ['execute'] }]);
    h.write(imported);
    expect((await h.plan()).plan.changes).toEqual([]);
  });

  it('database privileges: a declared role\'s CREATE/TEMP match exactly; PUBLIC\'s default CONNECT and TEMP are left alone unless manage.database, then revoked as disruptive', async () => {
    await freshDatabase();
    await db.sql(`CREATE ROLE "${n('builder')}"; CREATE ROLE "${n('stray')}"; CREATE ROLE "${n('viewer')}" LOGIN; GRANT CREATE ON DATABASE "${db.name}" TO "${n('stray')}"`);
    const h = harness(db.url);
    const spec = (manage: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
      connection: pgConnection,
      manage: { schemas: ['sales'], ignorePrincipals: [...ignoreAllBut(prefix), n('viewer')], ...manage },
      roles: [{ name: n('builder'), privileges: { database: ['temp', 'create'] } }],
      ...extra,
    });
    h.write(spec());
    const first = await h.plan();
    expect(first.plan.changes.map((c) => [c.title, c.risk])).toEqual([[`GRANT CREATE, TEMP ON DATABASE "${db.name}" TO "${n('builder')}"`, 'safe']]);
    expect((await h.apply(false)).ok).toBe(true);
    const can = async (role: string, privilege: string) => (await db.sql('SELECT has_database_privilege($1, $2, $3) AS ok', [role, db.name, privilege]))[0].ok;
    expect(await can(n('builder'), 'CREATE')).toBe(true);
    expect((await h.plan()).plan.changes).toEqual([]);

    // Drift on the declared role is repaired; the undeclared role's CREATE stays (no manage.database).
    await db.sql(`REVOKE TEMP ON DATABASE "${db.name}" FROM "${n('builder')}"; GRANT CONNECT ON DATABASE "${db.name}" TO "${n('builder')}"`);
    expect((await h.plan()).plan.changes.map((c) => [c.title, c.risk])).toEqual([
      [`GRANT TEMP ON DATABASE "${db.name}" TO "${n('builder')}"`, 'safe'],
      [`REVOKE CONNECT ON DATABASE "${db.name}" FROM "${n('builder')}"`, 'destructive'],
    ]);
    expect((await h.apply(true)).ok).toBe(true);

    // manage.database: the database is a contract; PUBLIC keeps CONNECT because the policy declares it.
    h.write(spec({ database: true }, { public: { privileges: { database: ['connect'] } } }));
    const contract = await h.plan();
    expect(contract.plan.changes.map((c) => [c.title, c.risk])).toEqual([
      [`REVOKE TEMP ON DATABASE "${db.name}" FROM PUBLIC`, 'disruptive'],
      [`REVOKE CREATE ON DATABASE "${db.name}" FROM "${n('stray')}"`, 'destructive'],
    ]);
    expect(contract.plan.changes[0].reason).toBe(`PUBLIC holds temp on database ${db.name}, which the policy does not declare; 1 user(s) lose access, holding it through no other grant: ${n('viewer')}`);
    expect((await h.apply(true)).ok).toBe(true);
    expect(await can(n('viewer'), 'TEMP')).toBe(false);
    expect(await can(n('viewer'), 'CONNECT')).toBe(true);
    expect((await h.plan()).plan.changes).toEqual([]);
    const imported = await importSpec(h);
    expect(imported.public).toEqual({ privileges: { database: ['connect'] } });
    expect((imported.roles as Array<{ name: string; privileges?: unknown }>).find((r) => r.name === n('builder'))?.privileges).toEqual({ database: ['create', 'temp'] });
  });

  it('WITH ADMIN OPTION: granted with the membership, added or revoked on its own (the membership kept), imported', async () => {
    await freshDatabase();
    const h = harness(db.url);
    const spec = (withAdminOption?: string[]) => ({
      connection: pgConnection,
      manage: { schemas: ['sales'], ignorePrincipals: ignoreAllBut(prefix) },
      roles: [{ name: n('ro') }, { name: n('lead'), memberOf: [n('ro')], withAdminOption: [n('ro')] }],
      users: [{ name: n('ana'), roles: [n('ro')], ...(withAdminOption ? { withAdminOption } : {}) }],
    });
    h.write(spec([n('ro')]));
    const first = await h.plan();
    expect(first.plan.changes.filter((c) => c.title.startsWith('GRANT')).map((c) => c.title)).toEqual([
      `GRANT "${n('ro')}" TO "${n('lead')}" WITH ADMIN OPTION`,
      `GRANT "${n('ro')}" TO "${n('ana')}" WITH ADMIN OPTION`,
    ]);
    expect((await h.apply(false)).ok).toBe(true);
    const admin = async (member: string) => (await db.sql('SELECT bool_or(am.admin_option) AS admin FROM pg_auth_members am JOIN pg_roles m ON m.oid = am.member WHERE m.rolname = $1', [member]))[0].admin;
    expect(await admin(n('ana'))).toBe(true);
    expect((await h.plan()).plan.changes).toEqual([]);

    // The policy drops ana's admin option: only the option is revoked.
    h.write(spec());
    const drop = await h.plan();
    expect(drop.plan.changes.map((c) => [c.address, c.title, c.risk])).toEqual([
      [`redshift/grants/user/${n('ana')}/member-of/${n('ro')}/admin-option`, `REVOKE ADMIN OPTION FOR "${n('ro')}" FROM "${n('ana')}"`, 'destructive'],
    ]);
    expect((await h.apply(true)).ok).toBe(true);
    expect(await admin(n('ana'))).toBe(false);
    expect((await h.plan()).plan.changes).toEqual([]);

    // Out of band it comes back: drift. Import writes the admin option of lead.
    await db.sql(`GRANT "${n('ro')}" TO "${n('ana')}" WITH ADMIN OPTION`);
    expect((await h.plan()).plan.changes.map((c) => c.title)).toEqual([`REVOKE ADMIN OPTION FOR "${n('ro')}" FROM "${n('ana')}"`]);
    const imported = await importSpec(h);
    expect((imported.roles as Array<{ name: string }>).find((r) => r.name === n('lead'))).toEqual({ name: n('lead'), memberOf: [n('ro')], withAdminOption: [n('ro')] });
  });

  it('future functions: default EXECUTE for an owner\'s new functions and procedures; what it gives a new function is not drift; import round-trips', async () => {
    await freshDatabase();
    await db.sql(`CREATE ROLE "${n('etl')}" LOGIN; GRANT USAGE, CREATE ON SCHEMA sales TO "${n('etl')}"; CREATE ROLE "${n('support')}"`);
    const h = harness(db.url);
    h.write({
      connection: pgConnection,
      manage: { schemas: ['sales'], ignorePrincipals: ignoreAllBut(prefix) },
      roles: [{ name: n('support'), privileges: { schemas: [{ schema: 'sales', privileges: ['usage'] }], futureFunctions: [{ schema: 'sales', owner: n('etl'), privileges: ['execute'] }] } }],
      users: [{ name: n('etl'), privileges: { schemas: [{ schema: 'sales', privileges: ['usage', 'create'] }] } }],
    });
    const first = await h.plan();
    expect(first.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(first.plan.changes.map((c) => c.title)).toEqual([
      `GRANT USAGE ON SCHEMA "sales" TO "${n('support')}"`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE "${n('etl')}" IN SCHEMA "sales" GRANT EXECUTE ON FUNCTIONS TO "${n('support')}"`,
    ]);
    expect((await h.apply(false)).ok).toBe(true);
    await db.sql(`SET ROLE "${n('etl')}"; CREATE FUNCTION sales.fresh(integer) RETURNS integer LANGUAGE sql AS 'SELECT 1'; RESET ROLE; REVOKE EXECUTE ON FUNCTION sales.fresh(integer) FROM PUBLIC`);
    expect((await db.sql('SELECT has_function_privilege($1, $2, $3) AS ok', [n('support'), 'sales.fresh(integer)', 'EXECUTE']))[0].ok).toBe(true);
    // support's EXECUTE on the new function comes from the declared default: no drift.
    expect((await h.plan()).plan.changes).toEqual([]);
    const imported = await importSpec(h);
    expect((imported.roles as Array<{ name: string; privileges: Record<string, unknown> }>).find((r) => r.name === n('support'))?.privileges.futureFunctions).toEqual([{ schema: 'sales', owner: n('etl'), privileges: ['execute'] }]);
  });

  it('passwords: a SCRAM verifier PostgreSQL made verifies; a different or unwanted password is drift; the value never shows', async () => {
    await freshDatabase();
    const pw = 'Walkthrough-Pw-1';
    await db.sql(`
      CREATE ROLE "${n('analyst')}" LOGIN PASSWORD '${pw}';
      CREATE ROLE "${n('engineer')}" LOGIN PASSWORD 'Leftover-Pw-9';
    `);
    const h = harness(db.url, { ANALYST_PW: pw, NEWUSER_PW: 'Brand-New-Pw-2' });
    const spec = {
      connection: pgConnection,
      manage: { schemas: ['sales'], ignorePrincipals: ignoreAllBut(prefix) },
      users: [
        { name: n('analyst'), password: { fromEnv: 'ANALYST_PW' } },
        { name: n('engineer'), passwordDisabled: true },
        { name: n('newuser'), password: { fromEnv: 'NEWUSER_PW' } },
      ],
    };
    h.write(spec);
    const { plan } = await h.plan();
    // PostgreSQL computed the analyst's verifier itself (scram-sha-256): Charter's check agrees, so no change.
    expect(plan.changes.map((c) => [c.title, c.risk])).toEqual([
      [`CREATE ROLE "${n('newuser')}" LOGIN PASSWORD '***'`, 'safe'],
      [`ALTER ROLE "${n('engineer')}" PASSWORD NULL`, 'disruptive'],
    ]);
    const json = JSON.stringify(plan);
    expect(json).not.toContain(pw);
    expect(json).not.toContain('Brand-New-Pw-2');
    expect((plan.changes[0].data as { passwordDigest: string }).passwordDigest).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect((await h.apply(true)).ok).toBe(true);
    const verifiers = await db.sql('SELECT rolname::text AS name, rolpassword FROM pg_authid WHERE rolname LIKE $1 ORDER BY 1', [`${prefix}%`]);
    expect(verifiers.map((r) => [r.name, r.rolpassword === null ? null : String(r.rolpassword).slice(0, 19)])).toEqual([
      [n('analyst'), 'SCRAM-SHA-256$4096:'],
      [n('engineer'), null],
      [n('newuser'), 'SCRAM-SHA-256$4096:'],
    ]);
    expect((await h.plan()).plan.changes).toEqual([]);

    // Rotating the variable is drift: the password is replaced (disruptive), and the fingerprint differs.
    const rotated = harness(db.url, { ANALYST_PW: 'Rotated-Pw-3', NEWUSER_PW: 'Brand-New-Pw-2' });
    rotated.write(spec);
    const drift = (await rotated.plan()).plan;
    expect(drift.changes.map((c) => [c.title, c.risk, c.reason])).toEqual([
      [`ALTER ROLE "${n('analyst')}" PASSWORD '***'`, 'disruptive', `${n('analyst')}'s password is not the one in ANALYST_PW; it is replaced (write-only, never shown)`],
    ]);
    expect((await rotated.apply(true)).ok).toBe(true);
    expect((await rotated.plan()).plan.changes).toEqual([]);

    // An unset variable is a positioned error found before anything is read, not a silent skip.
    const unset = harness(db.url, { NEWUSER_PW: 'Brand-New-Pw-2' });
    unset.write(spec);
    const errors = (await unset.plan()).plan.diagnostics.filter((d) => d.code === 'reach/env-unset');
    expect(errors.map((d) => d.severity)).toEqual(['error']);
  });

  it('quotes identifiers: a role named x"; DROP TABLE t; -- is created as exactly that name and nothing else happens', async () => {
    await freshDatabase();
    const evil = 'x"; DROP TABLE t; --';
    const evilUser = `${prefix}it's "quoted"`;
    extraRoles.push(evil);
    const h = harness(db.url);
    h.write({
      connection: pgConnection,
      manage: { schemas: ['sales'], ignorePrincipals: ignoreAllBut(prefix) },
      roles: [{ name: evil, privileges: { schemas: [{ schema: 'sales', privileges: ['usage'] }] } }],
      users: [{ name: evilUser, roles: [evil] }],
    });
    const { plan } = await h.plan();
    expect(plan.changes.map((c) => c.title)).toEqual([
      'CREATE ROLE "x""; DROP TABLE t; --"',
      `CREATE ROLE "${prefix}it's ""quoted""" LOGIN`,
      `GRANT "x""; DROP TABLE t; --" TO "${prefix}it's ""quoted"""`,
      'GRANT USAGE ON SCHEMA "sales" TO "x""; DROP TABLE t; --"',
    ]);
    const before = await db.sql("SELECT count(*)::int AS n FROM pg_class WHERE relkind = 'r' AND relnamespace::regnamespace::text IN ('public', 'sales', 'other')");
    expect((await h.apply()).ok).toBe(true);
    const roles = await db.sql('SELECT rolname FROM pg_roles WHERE rolname = $1 OR starts_with(rolname, $2) ORDER BY rolname', [evil, prefix]);
    expect(roles.map((r) => r.rolname)).toEqual([evilUser, evil].sort());
    const after = await db.sql("SELECT count(*)::int AS n FROM pg_class WHERE relkind = 'r' AND relnamespace::regnamespace::text IN ('public', 'sales', 'other')");
    expect(after).toEqual(before);
    expect(await db.sql("SELECT to_regclass('public.t') IS NOT NULL AS present")).toEqual([{ present: true }]);
    expect((await h.plan()).plan.changes).toEqual([]);
  });

  it('leaves ignored principals, unmanaged schemas and table owners alone; drops only with allowDrops, never CASCADE', async () => {
    await freshDatabase();
    await db.sql(`
      CREATE ROLE "${n('ext_bi')}";
      CREATE ROLE "${n('old')}";
      CREATE ROLE "${n('old_user')}" LOGIN;
      GRANT "${n('old')}" TO "${n('old_user')}";
      GRANT SELECT ON ALL TABLES IN SCHEMA sales TO "${n('ext_bi')}", "${n('old')}";
      GRANT USAGE ON SCHEMA sales TO "${n('old')}";
      GRANT SELECT ON other.secret TO "${n('old')}";
    `);
    const h = harness(db.url);
    const spec = (allowDrops: boolean, extra: Record<string, unknown> = {}) => ({
      connection: pgConnection,
      manage: { schemas: ['sales'], ignorePrincipals: [...ignoreAllBut(prefix), `${prefix}ext_*`], allowDrops },
      roles: [{ name: n('keep'), privileges: { schemas: [{ schema: 'sales', privileges: ['usage'] }] } }],
      ...extra,
    });

    // Without allowDrops: undeclared principals are reported and kept, but the managed schema is a contract:
    // their privileges there are revoked (and reported); outside it (other.secret) and the ignored role's stay.
    h.write(spec(false));
    const { plan } = await h.plan();
    expect(plan.changes.map((c) => [c.title, c.risk])).toEqual([
      [`CREATE ROLE "${n('keep')}"`, 'safe'],
      [`GRANT USAGE ON SCHEMA "sales" TO "${n('keep')}"`, 'safe'],
      [`REVOKE SELECT ON ALL TABLES IN SCHEMA "sales" FROM "${n('old')}"`, 'destructive'],
      [`REVOKE USAGE ON SCHEMA "sales" FROM "${n('old')}"`, 'destructive'],
    ]);
    expect(plan.changes[3].reason).toBe(`${n('old')} is not in the policy: its privileges in managed schemas are revoked (on schema sales); the role itself is kept (manage.allowDrops is off)`);
    const notice = plan.diagnostics.find((d) => d.code === 'redshift/principals-left-alone');
    expect(notice?.severity).toBe('notice');
    expect(notice?.message).toContain(`${n('old')}, ${n('old_user')}`);
    expect(notice?.message).not.toContain(n('ext_bi'));
    const revoked = plan.diagnostics.find((d) => d.code === 'redshift/undeclared-principal-privileges-revoked');
    expect(revoked?.severity).toBe('warning');
    expect(revoked?.message).toMatch(new RegExp(`^1 role\\(s\\) or user\\(s\\) not in the policy .*: ${n('old')}$`));

    // With allowDrops: revokes in managed schemas first, then DROP ROLE (PostgreSQL's DROP ROLE has no CASCADE at all).
    h.write(spec(true));
    const drops = (await h.plan()).plan;
    expect(drops.changes.map((c) => [c.title, c.risk])).toEqual([
      [`CREATE ROLE "${n('keep')}"`, 'safe'],
      [`GRANT USAGE ON SCHEMA "sales" TO "${n('keep')}"`, 'safe'],
      [`REVOKE SELECT ON ALL TABLES IN SCHEMA "sales" FROM "${n('old')}"`, 'destructive'],
      [`REVOKE USAGE ON SCHEMA "sales" FROM "${n('old')}"`, 'destructive'],
      [`REVOKE "${n('old')}" FROM "${n('old_user')}"`, 'destructive'],
      [`DROP ROLE "${n('old_user')}"`, 'destructive'],
      [`DROP ROLE "${n('old')}"`, 'destructive'],
    ]);
    expect(drops.changes.some((c) => /CASCADE|other|ext_bi/.test(c.title))).toBe(false);
    // The destructive changes need approval.
    const refused = await h.apply(false);
    expect(refused.refused).toMatch(/destructive/);
    // old still holds SELECT on other.secret (unmanaged): RESTRICT semantics make the drop fail, and the transaction undoes everything.
    const failed = await h.apply(true);
    expect(failed.ok).toBe(false);
    const bad = failed.results.find((r) => r.status === 'failed');
    expect(bad?.address).toBe(`redshift/grants/role/${n('old')}`);
    expect(bad?.error).toContain('cannot be dropped because some objects depend on it');
    expect(await rolesWithPrefix(server, prefix)).toEqual([n('ext_bi'), n('old'), n('old_user')]);
    expect(renderApplyReport(failed, 'text')).toContain('failed');

    // Once the unmanaged grant is gone, the drops go through; the ignored role keeps its grants.
    await db.sql(`REVOKE SELECT ON other.secret FROM "${n('old')}"`);
    expect((await h.apply(true)).ok).toBe(true);
    expect(await rolesWithPrefix(server, prefix)).toEqual([n('ext_bi'), n('keep')]);
    expect(await hasTablePrivilege(n('ext_bi'), 'sales.orders', 'SELECT')).toBe(true);
    expect((await h.plan()).plan.changes).toEqual([]);
  });

  it("a table owner's implicit privileges are not drift: granting the owner all tables converges", async () => {
    await freshDatabase();
    await db.sql(`CREATE ROLE "${n('etl')}" LOGIN; GRANT USAGE, CREATE ON SCHEMA sales TO "${n('etl')}"; CREATE TABLE sales.loads (id int); ALTER TABLE sales.loads OWNER TO "${n('etl')}";`);
    const h = harness(db.url);
    h.write({
      connection: pgConnection,
      manage: { schemas: ['sales'], ignorePrincipals: ignoreAllBut(prefix) },
      users: [
        {
          name: n('etl'),
          privileges: {
            schemas: [{ schema: 'sales', privileges: ['usage', 'create'] }],
            tables: [{ schema: 'sales', allTables: true, privileges: ['select'] }, { schema: 'sales', names: ['loads'], privileges: ['insert'] }],
          },
        },
      ],
    });
    const { plan } = await h.plan();
    expect(plan.changes.map((c) => c.title)).toEqual([`GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO "${n('etl')}"`]);
    expect((await h.apply(false)).ok).toBe(true);
    expect((await h.plan()).plan.changes).toEqual([]);
  });

  it('keeps secrets out of plans, reports and errors: the connection URL and its password', async () => {
    await freshDatabase();
    const password = 'Sup3r-Secret-Pa55';
    const url = new URL(db.url);
    url.password = password;
    const h = harness(url.toString());
    const masked: string[] = [];
    h.options.runtime.maskSecret = (value) => masked.push(value);
    const spec = salesSpec();
    spec.roles[1].privileges.futureTables = [{ schema: 'sales', owner: n('nobody'), privileges: ['select'] }];
    h.write(spec);
    const { plan } = await h.plan();
    // Adapters are told every secret value read, to mask it in their logs (the Action: core.setSecret).
    expect(masked).toContain(url.toString());
    expect(masked).toContain(password);
    const report = await h.apply();
    expect(report.ok).toBe(false);
    const outputs = [JSON.stringify(plan), renderPlan(plan, 'text'), renderPlan(plan, 'markdown'), JSON.stringify(report), renderApplyReport(report, 'text')];
    for (const text of outputs) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(url.toString());
    }

    // An unreachable server: the error names the variable and the policy line, never the URL.
    const closed = new URL(url.toString());
    closed.port = '1';
    const unreachable = harness(closed.toString());
    unreachable.write(salesSpec());
    const down = (await unreachable.plan()).plan;
    const diagnostic = down.diagnostics.find((d) => d.code === 'redshift/connection-failed');
    expect(diagnostic?.severity).toBe('error');
    expect(diagnostic?.line).toBeGreaterThan(0);
    expect(JSON.stringify(down)).not.toContain(password);

    // The variable unset: a clear error at the policy's urlFromEnv line.
    const unset = harness(db.url);
    unset.options.runtime.env = {};
    unset.write(salesSpec());
    const missing = (await unset.plan()).plan.diagnostics.find((d) => d.code === 'reach/env-unset');
    expect(missing?.message).toContain(URL_ENV);
    expect(missing?.file).toBe('grants.yml');
    expect(missing?.line).toBe(8); // urlFromEnv
  });
});
