/**
 * RedshiftGrants, Redshift dialect, against the sandbox's stateful Redshift Data API through the real
 * @aws-sdk/client-redshift-data client: plan → apply (batches of ≤ 40) → plan is empty; a manual statement
 * shows as drift; a failed batch is reported per batch; a partial catalog fails the plan.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchExecuteStatementCommand, DescribeStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { awsRuntime } from '../../src/aws/settings.js';
import { apply, plan, type PlanOptions } from '../../src/core/engine.js';
import { providers } from '../../src/providers/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { quiet } from './pg-harness.js';

const SECRET = 'KiG7Q~FEDnE.VsWS1IIl7LV1R2BtA4qVv2ixB';
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(users: unknown[] = [], database: Record<string, unknown> = {}): Promise<Sandbox> {
  sandbox = await startSandbox({
    state: {
      redshift: {
        clusters: [
          {
            identifier: 'analytics',
            databases: [
              {
                name: 'dev',
                superusers: ['awsuser'],
                users: ['etl', ...users],
                schemas: [{ name: 'sales', tables: ['orders', 'items'] }, { name: 'marketing', tables: ['region'] }, { name: 'other', tables: ['secret'] }],
                ...database,
              },
            ],
          },
        ],
      },
    } as never,
  });
  return sandbox;
}

function setup(sb: Sandbox, spec: Record<string, unknown>, dbUser = 'awsuser'): PlanOptions {
  const dir = mkdtempSync(join(tmpdir(), 'charter-rs-'));
  const full = { connection: { dialect: 'redshift', dataApi: { clusterIdentifier: 'analytics', database: 'dev', dbUser, region: 'us-east-1' } }, ...spec };
  writeFileSync(join(dir, 'grants.yml'), stringify({ apiVersion: 'charter/v1', kind: 'RedshiftGrants', metadata: { name: 'warehouse' }, spec: full }));
  return {
    cwd: dir,
    paths: ['grants.yml'],
    providers,
    salt: {},
    runtime: { ...awsRuntime({ endpoint: sb.endpoint, requestsPerSecond: { 'redshift-data': 10_000 } }, quiet), pollIntervalMs: 1, env: { AAD_SECRET: SECRET } },
  };
}

/** The RBAC walkthrough and the Azure AD namespace of the native IdP posts. */
const rbac = {
  manage: { schemas: ['sales', 'marketing', 'public'], ignorePrincipals: ['etl'] },
  identityProviders: [
    { name: 'oauth_standard', type: 'azure', namespace: 'oauth_aad', issuer: 'https://sts.windows.net/tenant/', clientId: 'client-1', audience: ['api://aud'], clientSecretFromEnv: 'AAD_SECRET' },
  ],
  roles: [
    { name: 'sales_ro', privileges: { schemas: [{ schema: 'sales', privileges: ['usage'] }], tables: [{ schema: 'sales', allTables: true, privileges: ['select'] }] } },
    { name: 'sales_rw', memberOf: ['sales_ro'], privileges: { system: ['TRUNCATE TABLE'], tables: [{ schema: 'sales', allTables: true, privileges: ['insert', 'update', 'delete'] }] } },
    { name: 'marketing_ro', privileges: { schemas: [{ schema: 'marketing', privileges: ['usage'] }], tables: [{ schema: 'marketing', allTables: true, privileges: ['select'] }] } },
    { name: 'db_admin', memberOf: ['sys:dba', 'sys:secadmin'] },
    { name: 'oauth_aad:rsgroup', privileges: { schemas: [{ schema: 'public', privileges: ['usage'] }, { schema: 'sales', privileges: ['usage'] }], futureTables: [{ schema: 'sales', owner: 'etl', privileges: ['select'] }] } },
  ],
  users: [
    { name: 'dbadmin', roles: ['db_admin'] },
    { name: 'salesanalyst', roles: ['sales_ro'] },
    { name: 'salesengineer', roles: ['sales_rw'], privileges: { tables: [{ schema: 'sales', names: ['Orders'], privileges: ['references'] }] } },
    { name: 'oauth_aad:alice@example.com', identityProvider: 'oauth_standard', roles: ['oauth_aad:rsgroup'] },
  ],
};

/** Runs statements as the superuser, outside Charter (the drift under test). */
async function runSql(sb: Sandbox, sqls: string[]): Promise<void> {
  const client = new RedshiftDataClient({ endpoint: sb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSANDBOX', secretAccessKey: 'sandbox' } });
  const { Id } = await client.send(new BatchExecuteStatementCommand({ ClusterIdentifier: 'analytics', Database: 'dev', DbUser: 'awsuser', Sqls: sqls }));
  for (let i = 0; i < 10; i++) {
    const d = await client.send(new DescribeStatementCommand({ Id }));
    if (d.Status === 'FAILED') throw new Error(d.Error);
    if (d.Status === 'FINISHED') return;
  }
  throw new Error('statements did not finish');
}

const database = (sb: Sandbox) => (sb.state as unknown as { redshift: { clusters: Array<{ databases: Array<Record<string, unknown>> }> } }).redshift.clusters[0].databases[0];

describe('RedshiftGrants on the sandbox Redshift Data API', () => {
  it('converges: plan → apply in batches → plan is empty; the IdP secret reaches Redshift but never the plan', async () => {
    const sb = await start();
    const options = setup(sb, rbac);
    const { plan: first } = await plan(options);
    expect(first.diagnostics.filter((d) => d.severity !== 'notice')).toEqual([]);
    expect(first.changes[0].title).toContain('CREATE IDENTITY PROVIDER "oauth_standard"');
    expect(JSON.stringify(first)).not.toContain(SECRET);
    const reads = sb.stats.count('redshift-data', 'ExecuteStatement');
    expect(reads).toBeLessThanOrEqual(12);

    sb.stats.reset();
    const report = await apply({ ...options, allowDestructive: false });
    expect(report.refused).toBeUndefined();
    expect(report.results.filter((r) => r.status !== 'applied')).toEqual([]);
    const statements = first.changes.reduce((n, c) => n + (c.data as { sql: string[] }).sql.length, 0);
    expect(sb.stats.count('redshift-data', 'BatchExecuteStatement')).toBe(Math.ceil(statements / 40));
    expect(report.results[0].detail).toMatch(/^batch 1\/\d+ committed$/);
    expect(JSON.stringify(report)).not.toContain(SECRET);

    const idps = database(sb).identityProviders as Array<{ name: string; params: Record<string, unknown> }>;
    expect(idps.map((p) => [p.name, p.params.client_secret])).toEqual([['oauth_standard', SECRET]]);

    const { plan: again } = await plan(options);
    expect(again.changes).toEqual([]);
    expect(again.diagnostics.filter((d) => d.severity !== 'notice')).toEqual([]);
  });

  it('sends a secret and parameters with quotes and backslashes intact (Redshift reads backslashes in literals as escapes)', async () => {
    const sb = await start();
    const secret = 'a"b\\c\'d\\';
    const audience = ['api://x\\y', 'api://"q"'];
    const idp = { ...rbac.identityProviders[0], audience };
    const options = setup(sb, { manage: rbac.manage, identityProviders: [idp] });
    options.runtime = { ...options.runtime, env: { AAD_SECRET: secret } };
    const report = await apply({ ...options, allowDestructive: false });
    expect(report.results.filter((r) => r.status !== 'applied')).toEqual([]);
    const idps = database(sb).identityProviders as Array<{ params: Record<string, unknown> }>;
    expect(idps[0].params.client_secret).toBe(secret);
    expect(idps[0].params.audience).toEqual(audience);
    expect((await plan(options)).plan.changes).toEqual([]);
  });

  it('shows a manual statement run outside Charter as drift, and converges again', async () => {
    const sb = await start();
    const options = setup(sb, rbac);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);

    const client = new RedshiftDataClient({ endpoint: sb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSANDBOX', secretAccessKey: 'sandbox' } });
    const { Id } = await client.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'analytics',
        Database: 'dev',
        DbUser: 'awsuser',
        Sqls: ['GRANT INSERT ON sales.orders TO ROLE sales_ro', 'REVOKE ROLE sales_ro FROM salesanalyst', 'REVOKE TRUNCATE TABLE FROM ROLE sales_rw', 'GRANT SELECT ON other.secret TO ROLE sales_ro'],
      }),
    );
    for (let i = 0; i < 10 && (await client.send(new DescribeStatementCommand({ Id }))).Status !== 'FINISHED'; i++);

    const { plan: drift } = await plan(options);
    expect(drift.changes.map((c) => [c.title, c.risk])).toEqual([
      ['GRANT ROLE "sales_ro" TO "salesanalyst"', 'safe'],
      ['GRANT TRUNCATE TABLE TO ROLE "sales_rw"', 'safe'],
      ['REVOKE INSERT ON TABLE "sales"."orders" FROM ROLE "sales_ro"', 'destructive'],
    ]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);
  });

  it('the walkthrough\'s PUBLIC leak: USAGE on marketing and SELECT on marketing.region granted to PUBLIC are drift, revoked as disruptive, naming who loses access', async () => {
    const sb = await start();
    const options = setup(sb, rbac);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    await runSql(sb, ['GRANT USAGE ON SCHEMA marketing TO PUBLIC', 'GRANT SELECT ON marketing.region TO PUBLIC', 'GRANT SELECT ON other.secret TO PUBLIC']);

    const { plan: drift } = await plan(options);
    expect(drift.changes.map((c) => [c.address, c.title, c.risk])).toEqual([
      ['redshift/warehouse/public/table/marketing/region/revoke', 'REVOKE SELECT ON TABLE "marketing"."region" FROM PUBLIC', 'disruptive'],
      ['redshift/warehouse/public/schema/marketing/revoke', 'REVOKE USAGE ON SCHEMA "marketing" FROM PUBLIC', 'disruptive'],
    ]);
    // Every non-superuser but no one with another grant (marketing_ro has no members here); etl is ignored but loses it too.
    expect(drift.changes[1].reason).toBe('PUBLIC holds usage on schema marketing, which the policy does not declare; 5 user(s) lose access, holding it through no other grant: dbadmin, etl, oauth_aad:alice@example.com, salesanalyst, salesengineer');
    expect((await apply({ ...options, allowDestructive: false })).refused).toMatch(/disruptive|destructive/);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    const grants = database(sb) as { schemaPrivileges: Array<{ granteeType: string; schema: string }>; tablePrivileges: Array<{ granteeType: string; schema: string }> };
    expect(grants.schemaPrivileges.filter((g) => g.granteeType === 'public')).toEqual([]);
    // Outside the managed schemas PUBLIC keeps what it has.
    expect(grants.tablePrivileges.filter((g) => g.granteeType === 'public').map((g) => g.schema)).toEqual(['other']);
    expect((await plan(options)).plan.changes).toEqual([]);

    // Declared PUBLIC privileges are granted TO PUBLIC and then kept.
    const declared = setup(sb, { ...rbac, public: { privileges: { schemas: [{ schema: 'public', privileges: ['usage'] }] } } });
    expect((await plan(declared)).plan.changes.map((c) => c.title)).toEqual(['GRANT USAGE ON SCHEMA "public" TO PUBLIC']);
    expect((await apply({ ...declared, allowDestructive: false })).ok).toBe(true);
    expect((await plan(declared)).plan.changes).toEqual([]);
  });

  it('the walkthrough\'s passwords: sent as md5 hashes (never clear text), verified, and drift (a password set on a passwordDisabled user, a rotated one) is repaired', async () => {
    const sb = await start();
    const withPasswords = {
      ...rbac,
      users: rbac.users.map((u) => (u.name === 'salesanalyst' ? { ...u, password: { fromEnv: 'SALESANALYST_PW' } } : u.name === 'dbadmin' ? { ...u, passwordDisabled: true } : u)),
    };
    const options = setup(sb, withPasswords);
    const pw = 'Test12345';
    options.runtime = { ...options.runtime, env: { AAD_SECRET: SECRET, SALESANALYST_PW: pw } };
    const { plan: first } = await plan(options);
    expect(first.changes.find((c) => c.address === 'redshift/warehouse/user/salesanalyst')?.title).toBe(`CREATE USER "salesanalyst" PASSWORD '***'`);
    expect(sb.stats.count('redshift-data', 'ExecuteStatement')).toBeLessThanOrEqual(12);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    const users = () => database(sb).users as Array<{ name: string; passwordHash?: string; passwordDisabled: boolean }>;
    // Redshift's MD5 form: md5 of password + user name; the clear text never reached the database.
    expect(users().find((u) => u.name === 'salesanalyst')?.passwordHash).toBe(`md5${createHash('md5').update(`${pw}salesanalyst`).digest('hex')}`);
    expect(JSON.stringify(sb.state)).not.toContain(pw);
    expect((await plan(options)).plan.changes).toEqual([]);

    // Out of band: dbadmin gets a password (the walkthrough's `create user dbadmin password 'Test12345'`).
    await runSql(sb, ["ALTER USER dbadmin PASSWORD 'Test12345'"]);
    const rotated = { ...options, runtime: { ...options.runtime, env: { AAD_SECRET: SECRET, SALESANALYST_PW: 'Rotated-Pw-2' } } };
    const { plan: drift } = await plan(rotated);
    expect(drift.changes.map((c) => [c.title, c.risk])).toEqual([
      ['ALTER USER "dbadmin" PASSWORD DISABLE', 'disruptive'],
      [`ALTER USER "salesanalyst" PASSWORD '***'`, 'disruptive'],
    ]);
    expect(JSON.stringify(drift)).not.toMatch(/Test12345|Rotated-Pw-2/);
    expect(drift.fingerprint).not.toBe((await plan(options)).plan.fingerprint);
    expect((await apply({ ...rotated, allowDestructive: true })).ok).toBe(true);
    expect(users().find((u) => u.name === 'dbadmin')).toMatchObject({ passwordDisabled: true });
    expect((await plan(rotated)).plan.changes).toEqual([]);
  });

  it('the walkthrough with PUBLIC, a password and a column grant drifting at once: all repaired, within 12 catalog queries', async () => {
    const sb = await start();
    await runSql(sb, ['CREATE TABLE sales.customers (id integer, name varchar(64), email varchar(256), PRIMARY KEY (id))']);
    const spec = {
      ...rbac,
      roles: rbac.roles.map((r) =>
        r.name === 'sales_ro' ? { ...r, privileges: { ...r.privileges, tables: [{ schema: 'sales', names: ['orders', 'items'], privileges: ['select'] }], columns: [{ schema: 'sales', table: 'customers', columns: ['Name', 'id'], privileges: ['select'] }] } } : r,
      ),
      users: rbac.users.map((u) => (u.name === 'dbadmin' ? { ...u, passwordDisabled: true } : u)),
    };
    const options = setup(sb, spec);
    const { plan: first } = await plan(options);
    expect(first.changes.find((c) => c.address === 'redshift/warehouse/role/sales_ro/columns/sales/customers/grant')?.title).toBe('GRANT SELECT ("id", "Name") ON TABLE "sales"."customers" TO ROLE "sales_ro"');
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);

    // Out of band: the walkthrough's PUBLIC grant, a password on dbadmin, a column granted to a user and one revoked from the role.
    await runSql(sb, [
      'GRANT SELECT ON marketing.region TO PUBLIC',
      "ALTER USER dbadmin PASSWORD 'Test12345'",
      'GRANT SELECT (email), UPDATE (email) ON sales.customers TO salesanalyst',
      'REVOKE SELECT (name) ON sales.customers FROM ROLE sales_ro',
    ]);
    const before = sb.stats.count('redshift-data', 'ExecuteStatement');
    const { plan: drift } = await plan(options);
    expect(sb.stats.count('redshift-data', 'ExecuteStatement') - before).toBeLessThanOrEqual(12);
    expect(drift.changes.map((c) => [c.title, c.risk])).toEqual([
      ['ALTER USER "dbadmin" PASSWORD DISABLE', 'disruptive'],
      ['GRANT SELECT ("Name") ON TABLE "sales"."customers" TO ROLE "sales_ro"', 'safe'],
      ['REVOKE SELECT ("email"), UPDATE ("email") ON TABLE "sales"."customers" FROM "salesanalyst"', 'destructive'],
      ['REVOKE SELECT ON TABLE "marketing"."region" FROM PUBLIC', 'disruptive'],
    ]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    const db = database(sb) as { columnPrivileges: Array<{ column: string; grantee: string; privilege: string }> };
    expect(db.columnPrivileges.map((g) => `${g.grantee}:${g.privilege}:${g.column}`).sort()).toEqual(['sales_ro:SELECT:id', 'sales_ro:SELECT:name']);
    expect((await plan(options)).plan.changes).toEqual([]);

    // Import writes the column grant back (Redshift folds the names); planning it gives no changes.
    const { importPolicies } = await import('../../src/core/engine.js');
    const result = await importPolicies({ ...options, file: 'grants.yml' });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.text).toContain('columns:\n');
    expect(parse(result.text!).spec.roles.find((r: { name: string }) => r.name === 'sales_ro').privileges.columns).toEqual([{ schema: 'sales', table: 'customers', columns: ['id', 'name'], privileges: ['select'] }]);
    writeFileSync(join(options.cwd, 'grants.yml'), result.text!);
    options.runtime = { ...options.runtime, env: { ...options.runtime.env, OAUTH_STANDARD_CLIENT_SECRET: SECRET } };
    expect((await plan(options)).plan.changes).toEqual([]);
  });

  it('user attributes: CREATEDB, CONNECTION LIMIT and SYSLOG ACCESS are created and repaired; granting SYSLOG ACCESS UNRESTRICTED is safe, taking it away disruptive', async () => {
    const sb = await start();
    const spec = { ...rbac, users: rbac.users.map((u) => (u.name === 'dbadmin' ? { ...u, createdb: true, connectionLimit: 10, syslogAccess: 'unrestricted' } : u)) };
    const options = setup(sb, spec);
    const { plan: first } = await plan(options);
    expect(first.changes.find((c) => c.address === 'redshift/warehouse/user/dbadmin')?.title).toBe('CREATE USER "dbadmin" PASSWORD DISABLE CREATEDB CONNECTION LIMIT 10 SYSLOG ACCESS UNRESTRICTED');
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    const dbadmin = () => (database(sb).users as Array<{ name: string; createdb: boolean; connectionLimit: unknown; syslogAccess: string }>).find((u) => u.name === 'dbadmin');
    expect(dbadmin()).toMatchObject({ createdb: true, connectionLimit: 10, syslogAccess: 'UNRESTRICTED' });
    expect((await plan(options)).plan.changes).toEqual([]);

    await runSql(sb, ['ALTER USER dbadmin NOCREATEDB', 'ALTER USER dbadmin CONNECTION LIMIT UNLIMITED', 'ALTER USER dbadmin SYSLOG ACCESS RESTRICTED']);
    const { plan: drift } = await plan(options);
    expect(drift.changes.map((c) => [c.data, c.risk])).toEqual([
      [{ sql: ['ALTER USER "dbadmin" CREATEDB', 'ALTER USER "dbadmin" CONNECTION LIMIT 10', 'ALTER USER "dbadmin" SYSLOG ACCESS UNRESTRICTED'] }, 'disruptive'],
    ]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    expect(dbadmin()).toMatchObject({ createdb: true, connectionLimit: 10, syslogAccess: 'UNRESTRICTED' });
    expect((await plan(options)).plan.changes).toEqual([]);

    // Taking SYSLOG ACCESS away narrows what the user sees: disruptive.
    const narrowed = setup(sb, { ...spec, users: spec.users.map((u) => (u.name === 'dbadmin' ? { ...u, syslogAccess: 'restricted' } : u)) });
    expect((await plan(narrowed)).plan.changes.map((c) => [c.title, c.risk])).toEqual([['ALTER USER "dbadmin" SYSLOG ACCESS RESTRICTED', 'disruptive']]);
  });

  it('VALID UNTIL (Redshift): created with the user, read from PG_USER_INFO.valuntil, drift repaired by PASSWORD … VALID UNTIL (the password sent again as its hash)', async () => {
    const sb = await start();
    const pw = 'Temp-Pw-2031';
    const spec = (validUntil: string) => ({ ...rbac, users: rbac.users.map((u) => (u.name === 'salesanalyst' ? { ...u, password: { fromEnv: 'ANALYST_PW' }, validUntil } : u)) });
    const options = setup(sb, spec('2031-06-30'));
    options.runtime = { ...options.runtime, env: { AAD_SECRET: SECRET, ANALYST_PW: pw } };
    const { plan: first } = await plan(options);
    expect(first.changes.find((c) => c.address === 'redshift/warehouse/user/salesanalyst')?.title).toBe(`CREATE USER "salesanalyst" PASSWORD '***' VALID UNTIL '2031-06-30 00:00:00'`);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    const analyst = () => (database(sb).users as Array<{ name: string; validUntil?: string; passwordHash?: string }>).find((u) => u.name === 'salesanalyst');
    expect(analyst()?.validUntil).toBe('2031-06-30 00:00:00');
    expect((await plan(options)).plan.changes).toEqual([]);

    // Out of band: the expiry is pushed back (Redshift takes VALID UNTIL only with a password).
    await runSql(sb, [`ALTER USER salesanalyst PASSWORD 'Other-Pw-1' VALID UNTIL '2032-01-01 08:00:00'`]);
    const { plan: drift } = await plan(options);
    expect(drift.changes.map((c) => [c.address, c.title, c.risk])).toEqual([
      ['redshift/warehouse/user/salesanalyst/attributes', `ALTER USER "salesanalyst" PASSWORD '***' VALID UNTIL '2031-06-30 00:00:00'`, 'disruptive'],
      ['redshift/warehouse/user/salesanalyst/password', `ALTER USER "salesanalyst" PASSWORD '***'`, 'disruptive'],
    ]);
    expect(JSON.stringify(drift)).not.toContain(pw);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    expect(analyst()).toMatchObject({ validUntil: '2031-06-30 00:00:00', passwordHash: `md5${createHash('md5').update(`${pw}salesanalyst`).digest('hex')}` });
    expect((await plan(options)).plan.changes).toEqual([]);

    // A later expiry is safe; a standalone ALTER USER … VALID UNTIL is refused by Redshift's grammar.
    const later = setup(sb, spec('2033-01-01T00:00:00Z'));
    later.runtime = options.runtime;
    expect((await plan(later)).plan.changes.map((c) => [c.title, c.risk])).toEqual([[`ALTER USER "salesanalyst" PASSWORD '***' VALID UNTIL '2033-01-01 00:00:00'`, 'safe']]);
    await expect(runSql(sb, [`ALTER USER salesanalyst VALID UNTIL '2033-01-01'`])).rejects.toThrow(/syntax error/);
  });

  it('WITH GRANT OPTION (Redshift users): read from admin_option, granted, and an option given out of band is revoked on its own', async () => {
    const sb = await start();
    const spec = (option: boolean) => ({ ...rbac, users: rbac.users.map((u) => (u.name === 'salesanalyst' ? { ...u, privileges: { schemas: [{ schema: 'sales', privileges: ['usage'], ...(option ? { withGrantOption: true } : {}) }] } } : u)) });
    const options = setup(sb, spec(true));
    const { plan: first } = await plan(options);
    expect(first.changes.map((c) => c.title)).toContain('GRANT USAGE ON SCHEMA "sales" TO "salesanalyst" WITH GRANT OPTION');
    expect(sb.stats.count('redshift-data', 'ExecuteStatement')).toBeLessThanOrEqual(12);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);
    const without = setup(sb, spec(false));
    expect((await plan(without)).plan.changes.map((c) => [c.title, c.risk])).toEqual([['REVOKE GRANT OPTION FOR USAGE ON SCHEMA "sales" FROM "salesanalyst"', 'destructive']]);
    expect((await apply({ ...without, allowDestructive: true })).ok).toBe(true);
    expect((await plan(without)).plan.changes).toEqual([]);
    await runSql(sb, ['GRANT USAGE ON SCHEMA sales TO salesanalyst WITH GRANT OPTION']);
    expect((await plan(without)).plan.changes.map((c) => c.title)).toEqual(['REVOKE GRANT OPTION FOR USAGE ON SCHEMA "sales" FROM "salesanalyst"']);
  });

  it('ALTER and DROP on schemas (Redshift): granted, drift revoked, import round-trips them', async () => {
    const sb = await start();
    const spec = { ...rbac, roles: [...rbac.roles, { name: 'schema_admin', privileges: { schemas: [{ schema: 'sales', privileges: ['drop', 'alter', 'usage'] }] } }] };
    const options = setup(sb, spec);
    const { plan: first } = await plan(options);
    expect(first.changes.find((c) => c.address === 'redshift/warehouse/role/schema_admin/schema/sales/grant')?.title).toBe('GRANT USAGE, DROP, ALTER ON SCHEMA "sales" TO ROLE "schema_admin"');
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);
    await runSql(sb, ['REVOKE DROP ON SCHEMA sales FROM ROLE schema_admin', 'GRANT ALTER ON SCHEMA sales TO ROLE sales_ro']);
    expect((await plan(options)).plan.changes.map((c) => [c.title, c.risk])).toEqual([
      ['GRANT DROP ON SCHEMA "sales" TO ROLE "schema_admin"', 'safe'],
      ['REVOKE ALTER ON SCHEMA "sales" FROM ROLE "sales_ro"', 'destructive'],
    ]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);
    const { importPolicies } = await import('../../src/core/engine.js');
    const result = await importPolicies({ ...options, file: 'grants.yml' });
    expect(parse(result.text!).spec.roles.find((r: { name: string }) => r.name === 'schema_admin').privileges).toEqual({ schemas: [{ schema: 'sales', privileges: ['usage', 'drop', 'alter'] }] });
    expect(result.notices.filter((n) => n.includes('cannot declare'))).toEqual([]);
  });

  it('functions and procedures: EXECUTE by signature, PUBLIC\'s EXECUTE revoked as disruptive, drift repaired, within 12 catalog queries, import round-trips', async () => {
    const sb = await start([], {
      schemas: [
        {
          name: 'sales',
          tables: ['orders', 'items'],
          functions: [
            { name: 'f_mask', arguments: 'character varying, integer' },
            { name: 'refresh_sales', kind: 'procedure' },
          ],
        },
        { name: 'marketing', tables: ['region'] },
        { name: 'other', tables: ['secret'] },
      ],
      // Redshift grants EXECUTE on a new function to PUBLIC.
      functionPrivileges: [{ schema: 'sales', function: 'f_mask', arguments: 'character varying, integer', privilege: 'EXECUTE', granteeType: 'public', grantee: 'public' }],
    });
    const spec = {
      ...rbac,
      roles: rbac.roles.map((r) =>
        r.name === 'sales_ro' ? { ...r, privileges: { ...r.privileges, functions: [{ schema: 'sales', names: ['F_Mask(character varying, integer)'], privileges: ['execute'] }] } } : r.name === 'sales_rw' ? { ...r, privileges: { ...r.privileges, procedures: [{ schema: 'sales', names: ['refresh_sales()'], privileges: ['execute'] }] } } : r,
      ),
      users: rbac.users.map((u) => (u.name === 'dbadmin' ? { ...u, passwordDisabled: true } : u)),
    };
    const options = setup(sb, spec);
    sb.stats.reset();
    const { plan: first } = await plan(options);
    expect(sb.stats.count('redshift-data', 'ExecuteStatement')).toBeLessThanOrEqual(12);
    expect(first.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(first.changes.filter((c) => c.title.includes('EXECUTE')).map((c) => [c.title, c.risk])).toEqual([
      ['GRANT EXECUTE ON FUNCTION "sales"."F_Mask"(character varying, integer) TO ROLE "sales_ro"', 'safe'],
      ['GRANT EXECUTE ON PROCEDURE "sales"."refresh_sales"() TO ROLE "sales_rw"', 'safe'],
      ['REVOKE EXECUTE ON FUNCTION "sales"."f_mask"(character varying, integer) FROM PUBLIC', 'disruptive'],
    ]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);

    await runSql(sb, ['GRANT EXECUTE ON PROCEDURE sales.refresh_sales() TO salesanalyst', 'REVOKE EXECUTE ON FUNCTION sales.f_mask(character varying, integer) FROM ROLE sales_ro']);
    expect((await plan(options)).plan.changes.map((c) => [c.title, c.risk])).toEqual([
      ['GRANT EXECUTE ON FUNCTION "sales"."F_Mask"(character varying, integer) TO ROLE "sales_ro"', 'safe'],
      ['REVOKE EXECUTE ON PROCEDURE "sales"."refresh_sales"() FROM "salesanalyst"', 'destructive'],
    ]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);

    const { importPolicies } = await import('../../src/core/engine.js');
    const result = await importPolicies({ ...options, file: 'grants.yml' });
    const roles = parse(result.text!).spec.roles as Array<{ name: string; privileges: Record<string, unknown> }>;
    expect(roles.find((r) => r.name === 'sales_ro')?.privileges.functions).toEqual([{ schema: 'sales', names: ['f_mask(character varying, integer)'], privileges: ['execute'] }]);
    expect(roles.find((r) => r.name === 'sales_rw')?.privileges.procedures).toEqual([{ schema: 'sales', names: ['refresh_sales()'], privileges: ['execute'] }]);
    writeFileSync(join(options.cwd, 'grants.yml'), result.text!);
    options.runtime = { ...options.runtime, env: { ...options.runtime.env, OAUTH_STANDARD_CLIENT_SECRET: SECRET } };
    expect((await plan(options)).plan.changes).toEqual([]);

    // A wrong signature is a plan error, not a failed apply.
    const wrong = setup(sb, { ...rbac, roles: rbac.roles.map((r) => (r.name === 'sales_ro' ? { ...r, privileges: { ...r.privileges, functions: [{ schema: 'sales', names: ['f_mask(integer)'], privileges: ['execute'] }] } } : r)) });
    expect((await plan(wrong)).plan.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['redshift/routine-not-found']);
  });

  it('ALL FUNCTIONS / ALL PROCEDURES IN SCHEMA (Redshift): granted when any routine of the kind lacks it, covers named ones, drift repaired, within 12 catalog queries, import round-trips', async () => {
    const sb = await start([], {
      schemas: [
        {
          name: 'sales',
          tables: ['orders'],
          functions: [
            { name: 'f_mask', arguments: 'character varying, integer' },
            { name: 'f_round', arguments: 'integer' },
            { name: 'refresh_sales', kind: 'procedure' },
            { name: 'purge_sales', kind: 'procedure', arguments: 'integer' },
          ],
        },
        { name: 'marketing', tables: ['region'] },
      ],
    });
    const spec = {
      ...rbac,
      roles: rbac.roles.map((r) =>
        r.name === 'sales_ro'
          ? { ...r, privileges: { ...r.privileges, functions: [{ schema: 'sales', allInSchema: true, privileges: ['execute'] }, { schema: 'sales', names: ['f_round(integer)'], privileges: ['execute'] }] } }
          : r.name === 'sales_rw'
            ? { ...r, privileges: { ...r.privileges, procedures: [{ schema: 'sales', allInSchema: true, privileges: ['execute'] }] } }
            : r,
      ),
    };
    const options = setup(sb, spec);
    options.runtime = { ...options.runtime, env: { ...options.runtime.env, OAUTH_STANDARD_CLIENT_SECRET: SECRET } };
    sb.stats.reset();
    const { plan: first } = await plan(options);
    expect(sb.stats.count('redshift-data', 'ExecuteStatement')).toBeLessThanOrEqual(12);
    expect(first.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(first.changes.filter((c) => c.title.includes('EXECUTE')).map((c) => [c.address, c.title, c.risk])).toEqual([
      ['redshift/warehouse/role/sales_ro/all-functions/sales/grant', 'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "sales" TO ROLE "sales_ro"', 'safe'],
      ['redshift/warehouse/role/sales_rw/all-procedures/sales/grant', 'GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA "sales" TO ROLE "sales_rw"', 'safe'],
    ]);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);

    // One procedure loses it, and a function gains it where the policy does not say so.
    await runSql(sb, ['REVOKE EXECUTE ON PROCEDURE sales.purge_sales(integer) FROM ROLE sales_rw', 'GRANT EXECUTE ON FUNCTION sales.f_round(integer) TO ROLE marketing_ro']);
    expect((await plan(options)).plan.changes.map((c) => [c.title, c.risk])).toEqual([
      ['GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA "sales" TO ROLE "sales_rw"', 'safe'],
      ['REVOKE EXECUTE ON FUNCTION "sales"."f_round"(integer) FROM ROLE "marketing_ro"', 'destructive'],
    ]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);

    const { importPolicies } = await import('../../src/core/engine.js');
    const result = await importPolicies({ ...options, file: 'grants.yml' });
    const roles = parse(result.text!).spec.roles as Array<{ name: string; privileges: Record<string, unknown> }>;
    expect(roles.find((r) => r.name === 'sales_ro')?.privileges.functions).toEqual([{ schema: 'sales', allInSchema: true, privileges: ['execute'] }]);
    expect(roles.find((r) => r.name === 'sales_rw')?.privileges.procedures).toEqual([{ schema: 'sales', allInSchema: true, privileges: ['execute'] }]);
    writeFileSync(join(options.cwd, 'grants.yml'), result.text!);
    expect((await plan(options)).plan.changes).toEqual([]);
  });

  it('datashare databases (Redshift): USAGE on a database created from a datashare, read from SVV_DATABASE_PRIVILEGES, drift repaired, PUBLIC\'s revoked only under manage.database, unnamed ones left alone, import round-trips', async () => {
    const sb = await start([], {
      sharedDatabases: ['sales_share', 'other_share'],
      databasePrivileges: [
        { database: 'sales_share', privilege: 'USAGE', granteeType: 'public', grantee: 'public' },
        { database: 'other_share', privilege: 'USAGE', granteeType: 'public', grantee: 'public' },
      ],
    });
    const spec = { ...rbac, roles: rbac.roles.map((r) => (r.name === 'sales_ro' ? { ...r, privileges: { ...r.privileges, datashareDatabases: [{ database: 'Sales_Share', privileges: ['usage'] }] } } : r)) };
    const options = setup(sb, spec);
    options.runtime = { ...options.runtime, env: { ...options.runtime.env, OAUTH_STANDARD_CLIENT_SECRET: SECRET } };
    sb.stats.reset();
    const { plan: first } = await plan(options);
    expect(sb.stats.count('redshift-data', 'ExecuteStatement')).toBeLessThanOrEqual(12);
    expect(first.changes.filter((c) => c.title.includes('ON DATABASE')).map((c) => [c.address, c.title, c.risk])).toEqual([
      ['redshift/warehouse/role/sales_ro/datashare-database/sales_share/grant', 'GRANT USAGE ON DATABASE "Sales_Share" TO ROLE "sales_ro"', 'safe'],
    ]);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);

    // The sandbox takes USAGE only on a datashare database, and never on the connected one.
    await expect(runSql(sb, ['GRANT USAGE ON DATABASE dev TO ROLE sales_ro'])).rejects.toThrow(/USAGE can be granted only on a database created from a datashare/);
    await expect(runSql(sb, ['GRANT CREATE ON DATABASE sales_share TO ROLE sales_ro'])).rejects.toThrow(/USAGE only/);
    await runSql(sb, ['REVOKE USAGE ON DATABASE sales_share FROM ROLE sales_ro', 'GRANT USAGE ON DATABASE sales_share TO ROLE marketing_ro', 'GRANT USAGE ON DATABASE other_share TO ROLE marketing_ro']);
    expect((await plan(options)).plan.changes.map((c) => [c.title, c.risk])).toEqual([
      ['GRANT USAGE ON DATABASE "Sales_Share" TO ROLE "sales_ro"', 'safe'],
      ['REVOKE USAGE ON DATABASE "sales_share" FROM ROLE "marketing_ro"', 'destructive'],
    ]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);

    // Under manage.database PUBLIC's USAGE on a named datashare database is revoked; other_share is not named.
    const contract = setup(sb, { ...spec, manage: { ...spec.manage, database: true } });
    contract.runtime = options.runtime;
    expect((await plan(contract)).plan.changes.filter((c) => c.title.includes('ON DATABASE')).map((c) => [c.title, c.risk])).toEqual([['REVOKE USAGE ON DATABASE "sales_share" FROM PUBLIC', 'disruptive']]);

    const { importPolicies } = await import('../../src/core/engine.js');
    const result = await importPolicies({ ...options, file: 'grants.yml' });
    const roles = parse(result.text!).spec.roles as Array<{ name: string; privileges: Record<string, unknown> }>;
    expect(roles.find((r) => r.name === 'sales_ro')?.privileges.datashareDatabases).toEqual([{ database: 'sales_share', privileges: ['usage'] }]);
    expect(roles.find((r) => r.name === 'marketing_ro')?.privileges.datashareDatabases).toEqual([{ database: 'other_share', privileges: ['usage'] }]);
    writeFileSync(join(options.cwd, 'grants.yml'), result.text!);
    expect((await plan(options)).plan.changes).toEqual([]);
  });

  it('database privileges (Redshift): CREATE and TEMP on the connected database, read from SVV_DATABASE_PRIVILEGES; PUBLIC\'s TEMP revoked only under manage.database', async () => {
    const sb = await start([], { databasePrivileges: [{ privilege: 'TEMP', granteeType: 'public', grantee: 'public' }] });
    const spec = { ...rbac, roles: rbac.roles.map((r) => (r.name === 'db_admin' ? { ...r, privileges: { database: ['create', 'temp'] } } : r)) };
    const options = setup(sb, spec);
    const { plan: first } = await plan(options);
    expect(first.changes.filter((c) => c.title.includes('DATABASE')).map((c) => [c.title, c.risk])).toEqual([['GRANT CREATE, TEMP ON DATABASE "dev" TO ROLE "db_admin"', 'safe']]);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);

    await runSql(sb, ['REVOKE TEMPORARY ON DATABASE dev FROM ROLE db_admin', 'GRANT CREATE ON DATABASE dev TO salesanalyst']);
    expect((await plan(options)).plan.changes.map((c) => [c.title, c.risk])).toEqual([
      ['GRANT TEMP ON DATABASE "dev" TO ROLE "db_admin"', 'safe'],
      ['REVOKE CREATE ON DATABASE "dev" FROM "salesanalyst"', 'destructive'],
    ]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);

    const contract = setup(sb, { ...spec, manage: { ...spec.manage, database: true } });
    const { plan: p } = await plan(contract);
    expect(p.changes.map((c) => [c.title, c.risk])).toEqual([['REVOKE TEMP ON DATABASE "dev" FROM PUBLIC', 'disruptive']]);
    expect((await apply({ ...contract, allowDestructive: true })).ok).toBe(true);
    expect((database(sb) as { databasePrivileges: Array<{ grantee: string; privilege: string }> }).databasePrivileges.map((g) => `${g.grantee}:${g.privilege}`).sort()).toEqual(['db_admin:CREATE', 'db_admin:TEMP']);
    expect((await plan(contract)).plan.changes).toEqual([]);
  });

  it('WITH ADMIN OPTION on Redshift (users): granted, and an admin option given out of band is revoked on its own', async () => {
    const sb = await start();
    const spec = { ...rbac, users: rbac.users.map((u) => (u.name === 'dbadmin' ? { ...u, withAdminOption: ['db_admin'] } : u)) };
    const options = setup(sb, spec);
    expect((await plan(options)).plan.changes.find((c) => c.address === 'redshift/warehouse/user/dbadmin/member-of/db_admin')?.title).toBe('GRANT ROLE "db_admin" TO "dbadmin" WITH ADMIN OPTION');
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);
    await runSql(sb, ['GRANT ROLE sales_ro TO salesanalyst WITH ADMIN OPTION']);
    expect((await plan(options)).plan.changes.map((c) => [c.title, c.risk])).toEqual([['REVOKE ADMIN OPTION FOR ROLE "sales_ro" FROM "salesanalyst"', 'destructive']]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    const grants = database(sb).roleGrants as Array<{ role: string; grantee: string; adminOption: boolean }>;
    expect(grants.find((g) => g.grantee === 'salesanalyst')).toMatchObject({ role: 'sales_ro', adminOption: false });
    expect((await plan(options)).plan.changes).toEqual([]);
  });

  it('future functions and procedures (Redshift): ALTER DEFAULT PRIVILEGES ... ON FUNCTIONS / ON PROCEDURES, drift repaired, import round-trips', async () => {
    const sb = await start();
    const spec = {
      ...rbac,
      roles: rbac.roles.map((r) =>
        r.name === 'sales_rw' ? { ...r, privileges: { ...r.privileges, futureFunctions: [{ schema: 'sales', owner: 'etl', privileges: ['execute'] }], futureProcedures: [{ schema: 'sales', owner: 'etl', privileges: ['execute'] }] } } : r,
      ),
    };
    const options = setup(sb, spec);
    expect((await plan(options)).plan.changes.filter((c) => c.title.includes('ON FUNCTIONS') || c.title.includes('ON PROCEDURES')).map((c) => c.title)).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR USER "etl" IN SCHEMA "sales" GRANT EXECUTE ON FUNCTIONS TO ROLE "sales_rw"',
      'ALTER DEFAULT PRIVILEGES FOR USER "etl" IN SCHEMA "sales" GRANT EXECUTE ON PROCEDURES TO ROLE "sales_rw"',
    ]);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);
    await runSql(sb, ['ALTER DEFAULT PRIVILEGES FOR USER etl IN SCHEMA sales REVOKE EXECUTE ON PROCEDURES FROM ROLE sales_rw', 'ALTER DEFAULT PRIVILEGES FOR USER etl IN SCHEMA sales GRANT EXECUTE ON FUNCTIONS TO salesanalyst']);
    expect((await plan(options)).plan.changes.map((c) => [c.title, c.risk])).toEqual([
      ['ALTER DEFAULT PRIVILEGES FOR USER "etl" IN SCHEMA "sales" GRANT EXECUTE ON PROCEDURES TO ROLE "sales_rw"', 'safe'],
      ['ALTER DEFAULT PRIVILEGES FOR USER "etl" IN SCHEMA "sales" REVOKE EXECUTE ON FUNCTIONS FROM "salesanalyst"', 'destructive'],
    ]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);
    const { importPolicies } = await import('../../src/core/engine.js');
    const result = await importPolicies({ ...options, file: 'grants.yml' });
    const rw = (parse(result.text!).spec.roles as Array<{ name: string; privileges: Record<string, unknown> }>).find((r) => r.name === 'sales_rw');
    expect([rw?.privileges.futureFunctions, rw?.privileges.futureProcedures]).toEqual([
      [{ schema: 'sales', owner: 'etl', privileges: ['execute'] }],
      [{ schema: 'sales', owner: 'etl', privileges: ['execute'] }],
    ]);
  });

  it('scoped permissions (Redshift): GRANT ... FOR TABLES / FUNCTIONS IN SCHEMA, read from SVV_SCHEMA_PRIVILEGES privilege_scope, drift repaired, import round-trips', async () => {
    const sb = await start();
    const spec = {
      ...rbac,
      roles: rbac.roles.map((r) => (r.name === 'marketing_ro' ? { name: 'marketing_ro', privileges: { schemas: [{ schema: 'marketing', privileges: ['usage'] }], scopedTables: [{ schema: 'marketing', privileges: ['select'] }], scopedFunctions: [{ schema: 'marketing', privileges: ['execute'] }] } } : r)),
    };
    const options = setup(sb, spec);
    expect((await plan(options)).plan.changes.filter((c) => c.title.includes(' IN SCHEMA "marketing"')).map((c) => c.title)).toEqual([
      'GRANT EXECUTE FOR FUNCTIONS IN SCHEMA "marketing" TO ROLE "marketing_ro"',
      'GRANT SELECT FOR TABLES IN SCHEMA "marketing" TO ROLE "marketing_ro"',
    ]);
    const applied = await apply({ ...options, allowDestructive: false });
    expect(applied.results.filter((r) => r.status === 'failed').map((r) => r.error)).toEqual([]);
    expect(applied.ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);
    await runSql(sb, ['GRANT INSERT, UPDATE FOR TABLES IN SCHEMA marketing TO ROLE marketing_ro', 'REVOKE EXECUTE FOR FUNCTIONS IN SCHEMA marketing FROM ROLE marketing_ro']);
    expect((await plan(options)).plan.changes.map((c) => [c.title, c.risk])).toEqual([
      ['GRANT EXECUTE FOR FUNCTIONS IN SCHEMA "marketing" TO ROLE "marketing_ro"', 'safe'],
      ['REVOKE INSERT, UPDATE FOR TABLES IN SCHEMA "marketing" FROM ROLE "marketing_ro"', 'destructive'],
    ]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);
    const { importPolicies } = await import('../../src/core/engine.js');
    const result = await importPolicies({ ...options, file: 'grants.yml' });
    const ro = (parse(result.text!).spec.roles as Array<{ name: string; privileges: Record<string, unknown> }>).find((r) => r.name === 'marketing_ro');
    expect(ro?.privileges).toEqual({ schemas: [{ schema: 'marketing', privileges: ['usage'] }], scopedTables: [{ schema: 'marketing', privileges: ['select'] }], scopedFunctions: [{ schema: 'marketing', privileges: ['execute'] }] });
  });

  it('checking passwords needs a superuser: PG_USER_INFO is hidden from everyone else', async () => {
    const sb = await start([{ name: 'auditor', syslogAccess: 'UNRESTRICTED' }]);
    await runSql(sb, ['GRANT ROLE "sys:monitor" TO auditor']);
    const options = setup(sb, { ...rbac, users: [{ name: 'dbadmin', passwordDisabled: true }] }, 'auditor');
    const { plan: p } = await plan(options);
    expect(p.diagnostics.map((d) => [d.code, d.message])).toEqual([['redshift/partial-catalog-visibility', expect.stringContaining('PG_USER_INFO shows them only to superusers')]]);
  });

  it('reports per batch: earlier batches stay committed, the failed batch rolls back, later changes are not attempted', async () => {
    const sb = await start();
    const roles = Array.from({ length: 45 }, (_, i) => ({ name: `r${String(i).padStart(2, '0')}` }));
    const options = setup(sb, {
      manage: { schemas: ['sales'], ignorePrincipals: ['etl'] },
      roles: [...roles, { name: 'zz', privileges: { futureTables: [{ schema: 'sales', owner: 'nobody', privileges: ['select'] }] } }],
    });
    const report = await apply({ ...options, allowDestructive: false });
    expect(report.ok).toBe(false);
    const applied = report.results.filter((r) => r.status === 'applied');
    expect(applied).toHaveLength(40);
    expect(applied.every((r) => r.detail === 'batch 1/2 committed')).toBe(true);
    const failed = report.results.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].address).toBe('redshift/warehouse/role/zz/future-tables/sales/nobody/grant');
    expect(failed[0].error).toMatch(/^batch 2\/2 failed at ALTER DEFAULT PRIVILEGES FOR USER "nobody"/);
    // Roles r40..zz were created in batch 2 and rolled back with it.
    const live = (database(sb).roles as Array<{ name: string }>).map((r) => r.name);
    expect(live).toContain('r39');
    expect(live).not.toContain('r40');
    expect(live).not.toContain('zz');
  });

  it('fails the plan, instead of reporting false drift, when the connecting user sees only part of the catalog', async () => {
    const sb = await start(['reader']);
    const options = setup(sb, rbac, 'reader');
    const { plan: p } = await plan(options);
    expect(p.changes).toEqual([]);
    expect(p.diagnostics.map((d) => [d.code, d.severity])).toEqual([['redshift/partial-catalog-visibility', 'error']]);
  });

  it('needs SYSLOG ACCESS UNRESTRICTED besides ACCESS SYSTEM TABLE: SVV_RELATION_PRIVILEGES hides other identities from sys:monitor alone', async () => {
    const sb = await start(['watcher']);
    expect((await apply({ ...setup(sb, rbac), allowDestructive: false })).ok).toBe(true);
    const client = new RedshiftDataClient({ endpoint: sb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSANDBOX', secretAccessKey: 'sandbox' } });
    const run = async (sql: string) => {
      const { Id } = await client.send(new BatchExecuteStatementCommand({ ClusterIdentifier: 'analytics', Database: 'dev', DbUser: 'awsuser', Sqls: [sql] }));
      let status: string | undefined;
      for (let i = 0; i < 20 && status !== 'FINISHED' && status !== 'FAILED'; i++) status = (await client.send(new DescribeStatementCommand({ Id }))).Status;
      expect(status).toBe('FINISHED');
    };
    await run('GRANT ROLE "sys:monitor" TO watcher');
    const options = setup(sb, rbac, 'watcher');
    const partial = (await plan(options)).plan;
    expect(partial.changes).toEqual([]);
    expect(partial.diagnostics.map((d) => [d.code, d.severity])).toEqual([['redshift/partial-catalog-visibility', 'error']]);
    expect(partial.diagnostics[0].message).toContain('SYSLOG ACCESS UNRESTRICTED');

    await run('ALTER USER watcher SYSLOG ACCESS UNRESTRICTED');
    const full = (await plan(options)).plan;
    expect(full.diagnostics.filter((d) => d.severity !== 'notice')).toEqual([]);
    expect(full.changes).toEqual([]);
  });

  it('import round-trips: the imported policy plans to no changes, with a placeholder for the write-only secret', async () => {
    const sb = await start();
    const options = setup(sb, rbac);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    const { importPolicies } = await import('../../src/core/engine.js');
    writeFileSync(
      join(options.cwd, 'grants.yml'),
      stringify({ apiVersion: 'charter/v1', kind: 'RedshiftGrants', metadata: { name: 'warehouse' }, spec: { connection: { dialect: 'redshift', dataApi: { clusterIdentifier: 'analytics', database: 'dev', dbUser: 'awsuser', region: 'us-east-1' } }, manage: rbac.manage } }),
    );
    const result = await importPolicies({ ...options, file: 'grants.yml' });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.notices).toEqual([
      'RedshiftGrants/warehouse: identity provider oauth_standard: Redshift cannot return its client secret; set OAUTH_STANDARD_CLIENT_SECRET (or rename clientSecretFromEnv) before planning',
    ]);
    expect(result.text).toContain('clientSecretFromEnv: OAUTH_STANDARD_CLIENT_SECRET # Placeholder');
    expect(result.text).toContain('- sys:dba');
    expect(result.text).not.toMatch(/name: etl/); // ignored
    expect(result.text).not.toMatch(/name: awsuser/); // the connecting superuser
    writeFileSync(join(options.cwd, 'grants.yml'), result.text!);
    // As the notice says: the placeholder's variable must be set before planning (an unset secret is a plan error).
    const unset = (await plan(options)).plan;
    expect(unset.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.message])).toEqual([
      ['reach/env-unset', 'Environment variable "OAUTH_STANDARD_CLIENT_SECRET" (clientSecretFromEnv of RedshiftGrants/warehouse) is not set; nothing was read'],
    ]);
    const { plan: p } = await plan({ ...options, runtime: { ...options.runtime, env: { ...options.runtime.env, OAUTH_STANDARD_CLIENT_SECRET: 'imported-secret-value' } } });
    expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(p.changes).toEqual([]);
  });

  it('keeps the client secret out of errors when the identity provider cannot be created', async () => {
    const sb = await start();
    // A provider Charter does not manage already holds the namespace: CREATE fails.
    database(sb).identityProviders = [{ name: 'legacy', type: 'azure', namespace: 'oauth_aad', params: { issuer: 'https://x/', client_id: 'c', client_secret: 'old', audience: ['a'] }, enabled: true, id: 900 }];
    const options = setup(sb, { manage: rbac.manage, identityProviders: rbac.identityProviders });
    const report = await apply({ ...options, allowDestructive: false });
    expect(report.ok).toBe(false);
    const failed = report.results.find((r) => r.status === 'failed');
    expect(failed?.error).toMatch(/^batch 1\/1 failed at CREATE IDENTITY PROVIDER "oauth_standard" .*"client_secret":"\*\*\*"/);
    expect(JSON.stringify(report)).not.toContain(SECRET);
  });

  it('rides out throttling (the SDK retries) and reports a batch call that fails before any SQL runs', async () => {
    const sb = await start();
    const options = setup(sb, { manage: { schemas: ['sales'], ignorePrincipals: ['etl'] }, roles: [{ name: 'sales_ro' }] });
    sb.faults.throttle('redshift-data', '*', 3);
    const { plan: p } = await plan(options);
    expect(p.changes.map((c) => c.title)).toEqual(['CREATE ROLE "sales_ro"']);

    // The sandbox counts every ExecuteStatement as a write: apply's own plan reads the catalog in 11 of them first.
    sb.faults.failNthWrite('redshift-data', 12);
    const failed = await apply({ ...options, allowDestructive: false });
    expect(failed.results).toEqual([{ address: 'redshift/warehouse/role/sales_ro', status: 'failed', error: expect.stringMatching(/^batch 1\/1 failed at CREATE ROLE "sales_ro": /), detail: 'batch 1/1 rolled back' }]);
    expect((database(sb).roles as unknown[]).length).toBe(0);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
  });

  it('refuses dry-apply on the Data API (no transaction to roll back)', async () => {
    const sb = await start();
    const { dryApply } = await import('../../src/core/engine.js');
    const report = await dryApply(setup(sb, rbac));
    expect(report.ok).toBe(false);
    expect(report.results.find((r) => r.status === 'failed')?.error).toContain('Data API');
    expect(database(sb).identityProviders).toEqual([]);
  });
});
