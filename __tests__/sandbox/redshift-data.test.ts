import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type DescribeStatementResponse,
  type Field,
} from '@aws-sdk/client-redshift-data';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSandboxState, SandboxStateError, startSandbox, type Sandbox, type SandboxStateInput } from '../../src/sandbox/index.js';
import { normalizeState } from '../../src/sandbox/state.js';
import { credentials, errorOf } from './helpers.js';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:charter-admin-AbCdEf';
const ANALYST_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:analyst-XyZ123';

function account(): SandboxStateInput {
  return {
    redshift: {
      secrets: { [SECRET]: { username: 'awsuser' }, [ANALYST_SECRET]: { username: 'analyst' } },
      clusters: [
        {
          identifier: 'examplecluster',
          databases: [
            {
              name: 'dev',
              superusers: ['awsuser'],
              users: ['analyst', 'loader'],
              schemas: [
                { name: 'public', tables: ['sales', 'event'] },
                { name: 'sales', tables: ['orders', 'customers'] },
                { name: 'marketing', tables: ['campaigns'] },
              ],
            },
          ],
        },
      ],
      workgroups: [{ name: 'analytics-wg', databases: [{ name: 'dev', superusers: ['admin'] }] }],
    },
  };
}

type Row = Record<string, unknown>;

function value(f: Field): unknown {
  if (f.isNull) return null;
  if (f.stringValue !== undefined) return f.stringValue;
  if (f.longValue !== undefined) return f.longValue;
  if (f.booleanValue !== undefined) return f.booleanValue;
  return f.doubleValue;
}

interface Conn {
  ClusterIdentifier?: string;
  WorkgroupName?: string;
  Database: string;
  DbUser?: string;
  SecretArn?: string;
}

const ADMIN: Conn = { ClusterIdentifier: 'examplecluster', Database: 'dev', DbUser: 'awsuser' };
const ANALYST: Conn = { ClusterIdentifier: 'examplecluster', Database: 'dev', SecretArn: ANALYST_SECRET };

let sb: Sandbox;
let client: RedshiftDataClient;

beforeEach(async () => {
  sb = await startSandbox({ state: account() });
  client = new RedshiftDataClient({ endpoint: sb.endpoint, region: 'us-east-1', credentials, maxAttempts: 3 });
});

afterEach(async () => {
  client.destroy();
  await sb.close();
});

async function waitFor(id: string): Promise<{ d: DescribeStatementResponse; polls: number }> {
  for (let polls = 1; polls < 100; polls++) {
    const d = await client.send(new DescribeStatementCommand({ Id: id }));
    if (d.Status === 'FINISHED' || d.Status === 'FAILED' || d.Status === 'ABORTED') return { d, polls };
  }
  throw new Error(`statement ${id} never finished`);
}

async function rowsOf(id: string): Promise<Row[]> {
  const rows: Row[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new GetStatementResultCommand({ Id: id, NextToken: token }));
    const names = (page.ColumnMetadata ?? []).map((c) => c.name!);
    for (const r of page.Records ?? []) rows.push(Object.fromEntries(r.map((f, i) => [names[i], value(f)])));
    token = page.NextToken;
  } while (token);
  return rows;
}

/** Run one statement; throws with the statement's Error when it FAILED. */
async function sql(text: string, conn: Conn = ADMIN): Promise<Row[]> {
  const { Id } = await client.send(new ExecuteStatementCommand({ ...conn, Sql: text }));
  const { d } = await waitFor(Id!);
  if (d.Status !== 'FINISHED') throw new Error(d.Error ?? String(d.Status));
  return d.HasResultSet ? rowsOf(Id!) : [];
}

/** The Error of a statement expected to fail. */
async function sqlError(text: string, conn: Conn = ADMIN): Promise<string> {
  const { Id } = await client.send(new ExecuteStatementCommand({ ...conn, Sql: text }));
  const { d } = await waitFor(Id!);
  expect(d.Status).toBe('FAILED');
  return d.Error!;
}

async function batch(sqls: string[], conn: Conn = ADMIN): Promise<{ id: string; d: DescribeStatementResponse }> {
  const { Id } = await client.send(new BatchExecuteStatementCommand({ ...conn, Sqls: sqls }));
  const { d } = await waitFor(Id!);
  return { id: Id!, d };
}

const names = (rows: Row[], col: string) => rows.map((r) => r[col]).sort();

describe('Data API operations', () => {
  it('ExecuteStatement answers like the Data API, and the statement must be polled', async () => {
    const out = await client.send(new ExecuteStatementCommand({ ...ADMIN, Sql: 'SELECT current_user', StatementName: 'who' }));
    expect(out.Id).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/);
    expect(out).toMatchObject({ ClusterIdentifier: 'examplecluster', Database: 'dev', DbUser: 'awsuser' });
    expect(out.CreatedAt).toBeInstanceOf(Date);
    // Not finished until a DescribeStatement poll has reported it.
    expect(await errorOf(client.send(new GetStatementResultCommand({ Id: out.Id })))).toMatchObject({ name: 'ValidationException' });
    const first = await client.send(new DescribeStatementCommand({ Id: out.Id }));
    expect(first).toMatchObject({ Status: 'STARTED', HasResultSet: false });
    const second = await client.send(new DescribeStatementCommand({ Id: out.Id }));
    expect(second).toMatchObject({ Status: 'FINISHED', HasResultSet: true, ResultRows: 1, QueryString: 'SELECT current_user', ClusterIdentifier: 'examplecluster' });
    const result = await client.send(new GetStatementResultCommand({ Id: out.Id }));
    expect(result.Records).toEqual([[{ stringValue: 'awsuser' }]]);
    expect(result.ColumnMetadata?.[0]).toMatchObject({ name: 'current_user', typeName: 'name' });
    expect(result.TotalNumRows).toBe(1);
  });

  it('the number of STARTED polls is configurable', async () => {
    sb.state.settings.redshift.statementFinishAfterPolls = 3;
    const { Id } = await client.send(new ExecuteStatementCommand({ ...ADMIN, Sql: 'CREATE ROLE r1' }));
    const { d, polls } = await waitFor(Id!);
    expect(polls).toBe(4);
    expect(d).toMatchObject({ Status: 'FINISHED', HasResultSet: false });
    sb.state.settings.redshift.statementFinishAfterPolls = 0;
    const again = await client.send(new ExecuteStatementCommand({ ...ADMIN, Sql: 'SELECT current_user' }));
    expect((await waitFor(again.Id!)).polls).toBe(1);
  });

  it('SecretArn resolves to the secret user; workgroups work with secrets', async () => {
    expect(await sql('select CURRENT_USER;', ANALYST)).toEqual([{ current_user: 'analyst' }]);
    sb.state.redshift.secrets['arn:aws:secretsmanager:us-east-1:123456789012:secret:wg'] = { username: 'admin' };
    const wg: Conn = { WorkgroupName: 'analytics-wg', Database: 'dev', SecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:wg' };
    const out = await client.send(new ExecuteStatementCommand({ ...wg, Sql: 'SELECT current_user' }));
    expect(out.WorkgroupName).toBe('analytics-wg');
    expect(out.ClusterIdentifier).toBeUndefined();
    expect(await sql('SELECT current_user', wg)).toEqual([{ current_user: 'admin' }]);
  });

  it('rejects bad input with ValidationException', async () => {
    const both = await errorOf(client.send(new ExecuteStatementCommand({ ...ADMIN, WorkgroupName: 'analytics-wg', Sql: 'SELECT current_user' })));
    expect(both.name).toBe('ValidationException');
    const neither = await errorOf(client.send(new ExecuteStatementCommand({ Database: 'dev', DbUser: 'awsuser', Sql: 'SELECT current_user' })));
    expect(neither.name).toBe('ValidationException');
    const unknownCluster = await errorOf(client.send(new ExecuteStatementCommand({ ...ADMIN, ClusterIdentifier: 'nope', Sql: 'SELECT current_user' })));
    expect(unknownCluster.name).toBe('ValidationException');
    expect(unknownCluster.message).toMatch(/nope/);
    const unknownWg = await errorOf(client.send(new ExecuteStatementCommand({ WorkgroupName: 'nope-wg', Database: 'dev', SecretArn: SECRET, Sql: 'SELECT 1' })));
    expect(unknownWg.name).toBe('ResourceNotFoundException');
    const unknownSecret = await errorOf(client.send(new ExecuteStatementCommand({ ...ANALYST, SecretArn: SECRET + 'x', Sql: 'SELECT current_user' })));
    expect(unknownSecret.name).toBe('ValidationException');
    const params = await errorOf(client.send(new ExecuteStatementCommand({ ...ADMIN, Sql: 'SELECT current_user', Parameters: [{ name: 'a', value: 'b' }] })));
    expect(params.name).toBe('ValidationException');
    const tooMany = await errorOf(client.send(new BatchExecuteStatementCommand({ ...ADMIN, Sqls: Array.from({ length: 41 }, (_, i) => `CREATE ROLE r${i}`) })));
    expect(tooMany.name).toBe('ValidationException');
    expect(sb.state.redshift.clusters[0].databases[0].roles).toEqual([]);
    const empty = await errorOf(client.send(new BatchExecuteStatementCommand({ ...ADMIN, Sqls: [] })));
    expect(empty.name).toBe('ValidationException');
  });

  it('statements run for statementRunMs each: SUBMITTED/STARTED until then, a batch statement by statement', async () => {
    sb.state.settings.redshift.statementFinishAfterPolls = 0;
    sb.state.settings.redshift.statementRunMs = 300;
    const submitted = Date.now();
    const { Id } = await client.send(new BatchExecuteStatementCommand({ ...ADMIN, Sqls: ['CREATE ROLE slow1', 'CREATE ROLE slow2', 'CREATE ROLE slow3'] }));
    const first = await client.send(new DescribeStatementCommand({ Id }));
    expect(first.Status).toBe('STARTED');
    expect(first.SubStatements?.map((s) => s.Status)).toEqual(['STARTED', 'SUBMITTED', 'SUBMITTED']);
    expect(await errorOf(client.send(new GetStatementResultCommand({ Id: `${Id!}:1` })))).toMatchObject({ name: 'ValidationException' });
    // Past the first statement's run time (and before the third's end): the first FINISHED, the batch STARTED.
    await new Promise((r) => setTimeout(r, 400 - (Date.now() - submitted)));
    const middle = await client.send(new DescribeStatementCommand({ Id }));
    if (Date.now() - submitted < 900) {
      expect(middle.Status).toBe('STARTED');
      expect(middle.SubStatements?.[0].Status).toBe('FINISHED');
      expect(middle.SubStatements?.[2].Status).not.toBe('FINISHED');
    }
    let d = middle;
    let polls = 2;
    while (d.Status === 'STARTED') {
      await new Promise((r) => setTimeout(r, 50));
      d = await client.send(new DescribeStatementCommand({ Id }));
      polls++;
    }
    expect(d.Status).toBe('FINISHED');
    expect(d.SubStatements?.map((s) => s.Status)).toEqual(['FINISHED', 'FINISHED', 'FINISHED']);
    // Not done before three statements' run time, however often it was polled.
    expect(Date.now() - submitted).toBeGreaterThanOrEqual(900);
    expect(polls).toBeGreaterThan(1);
    // Settings are checked like the rest of the state.
    expect(() => normalizeState({ settings: { redshift: { statementRunMs: -1 } } })).toThrow(/statementRunMs/);
  });

  it('40 statements are accepted in one batch', async () => {
    const { d } = await batch(Array.from({ length: 40 }, (_, i) => `CREATE ROLE r${i}`));
    expect(d.Status).toBe('FINISHED');
    expect(d.SubStatements).toHaveLength(40);
    expect(sb.state.redshift.clusters[0].databases[0].roles).toHaveLength(40);
  });

  it('an unknown or malformed statement id is an error', async () => {
    const unknown = await errorOf(client.send(new DescribeStatementCommand({ Id: '11111111-2222-4333-8444-555555555555' })));
    expect(unknown.name).toBe('ResourceNotFoundException');
    const unknownResult = await errorOf(client.send(new GetStatementResultCommand({ Id: '11111111-2222-4333-8444-555555555555' })));
    expect(unknownResult.name).toBe('ResourceNotFoundException');
    const malformed = await errorOf(client.send(new DescribeStatementCommand({ Id: 'not-an-id' })));
    expect(malformed.name).toBe('ValidationException');
  });

  it('an unknown database or user makes the statement FAILED', async () => {
    expect(await sqlError('SELECT current_user', { ...ADMIN, Database: 'nodb' })).toMatch(/database "nodb" does not exist/);
    expect(await sqlError('SELECT current_user', { ...ADMIN, DbUser: 'ghost' })).toMatch(/user "ghost" does not exist/);
  });

  it('a repeated ClientToken returns the first answer without running the SQL again', async () => {
    const first = await client.send(new ExecuteStatementCommand({ ...ADMIN, Sql: 'CREATE ROLE once', ClientToken: 'token-1' }));
    const again = await client.send(new ExecuteStatementCommand({ ...ADMIN, Sql: 'CREATE ROLE once', ClientToken: 'token-1' }));
    expect(again.Id).toBe(first.Id);
    expect((await waitFor(first.Id!)).d.Status).toBe('FINISHED');
    const other = await errorOf(client.send(new ExecuteStatementCommand({ ...ADMIN, Sql: 'CREATE ROLE twice', ClientToken: 'token-1' })));
    expect(other.name).toBe('ValidationException');
    expect(sb.state.redshift.clusters[0].databases[0].roles.map((r) => r.name)).toEqual(['once']);
  });

  it('throttling and write failures come from the faults mechanism', async () => {
    sb.faults.throttle('redshift-data', 'ExecuteStatement', 2);
    const out = await client.send(new ExecuteStatementCommand({ ...ADMIN, Sql: 'SELECT current_user' }));
    expect(out.$metadata.attempts).toBe(3);
    expect(sb.stats.count('redshift-data', 'ExecuteStatement')).toBe(3);
    sb.faults.failNthWrite('redshift-data', 1);
    const failed = await errorOf(client.send(new BatchExecuteStatementCommand({ ...ADMIN, Sqls: ['CREATE ROLE x'] })));
    expect(failed.name).toBe('ValidationException');
    expect(sb.state.redshift.clusters[0].databases[0].roles).toEqual([]);
  });
});

describe('batches', () => {
  it('are one transaction: a failing 3rd statement leaves nothing of the first two', async () => {
    const { id, d } = await batch(['CREATE ROLE a', 'CREATE USER bob PASSWORD DISABLE', 'GRANT ROLE missing TO ROLE a', 'CREATE ROLE never']);
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toMatch(/role "missing" does not exist/);
    expect(d.Error).toMatch(/statement 3 of 4/);
    expect(d.SubStatements!.map((s) => [s.Id, s.Status])).toEqual([
      [`${id}:1`, 'FINISHED'],
      [`${id}:2`, 'FINISHED'],
      [`${id}:3`, 'FAILED'],
      [`${id}:4`, 'ABORTED'],
    ]);
    expect(d.SubStatements![2].Error).toMatch(/^ERROR: role "missing" does not exist/);
    expect(await sql("SELECT role_name FROM svv_roles WHERE role_name = 'a'")).toEqual([]);
    expect(await sql("SELECT user_name FROM svv_user_info WHERE user_name = 'bob'")).toEqual([]);
  });

  it('sub-statement ids describe and fetch each statement', async () => {
    const { id, d } = await batch(['CREATE ROLE r1', 'SELECT current_user', "SELECT role_name FROM svv_roles WHERE role_name = 'r1'"]);
    expect(d).toMatchObject({ Status: 'FINISHED', HasResultSet: true });
    expect(d.SubStatements!.map((s) => s.HasResultSet)).toEqual([false, true, true]);
    const sub = await client.send(new DescribeStatementCommand({ Id: `${id}:3` }));
    expect(sub).toMatchObject({ Id: `${id}:3`, Status: 'FINISHED', ResultRows: 1 });
    expect(await rowsOf(`${id}:2`)).toEqual([{ current_user: 'awsuser' }]);
    expect(await rowsOf(`${id}:3`)).toEqual([{ role_name: 'r1' }]);
    expect((await errorOf(client.send(new GetStatementResultCommand({ Id: id })))).name).toBe('ValidationException');
    expect((await errorOf(client.send(new GetStatementResultCommand({ Id: `${id}:1` })))).name).toBe('ResourceNotFoundException');
    expect((await errorOf(client.send(new DescribeStatementCommand({ Id: `${id}:4` })))).name).toBe('ResourceNotFoundException');
  });
});

describe('GetStatementResult', () => {
  it('pages with NextToken at the configured page size', async () => {
    await batch(Array.from({ length: 7 }, (_, i) => `CREATE ROLE role_${i}`));
    sb.state.settings.redshift.resultPageSize = 3;
    const { Id } = await client.send(new ExecuteStatementCommand({ ...ADMIN, Sql: "SELECT role_name FROM svv_roles WHERE role_owner = 'awsuser' ORDER BY role_name DESC" }));
    await waitFor(Id!);
    const p1 = await client.send(new GetStatementResultCommand({ Id }));
    expect(p1.Records).toHaveLength(3);
    expect(p1.TotalNumRows).toBe(7);
    expect(p1.NextToken).toBeTruthy();
    const p2 = await client.send(new GetStatementResultCommand({ Id, NextToken: p1.NextToken }));
    const p3 = await client.send(new GetStatementResultCommand({ Id, NextToken: p2.NextToken }));
    expect(p3.Records).toHaveLength(1);
    expect(p3.NextToken).toBeUndefined();
    const all = [...p1.Records!, ...p2.Records!, ...p3.Records!].map((r) => r[0].stringValue);
    expect(all).toEqual(['role_6', 'role_5', 'role_4', 'role_3', 'role_2', 'role_1', 'role_0']);
    expect((await errorOf(client.send(new GetStatementResultCommand({ Id, NextToken: 'garbage' })))).name).toBe('ValidationException');
  });

  it('returns typed fields: longValue, booleanValue, isNull', async () => {
    const rows = await client.send(
      new ExecuteStatementCommand({ ...ADMIN, Sql: "SELECT user_id, superuser, external_user_id FROM svv_user_info WHERE user_name = 'awsuser'" }),
    );
    await waitFor(rows.Id!);
    const r = await client.send(new GetStatementResultCommand({ Id: rows.Id }));
    expect(r.Records![0][0].longValue).toBeTypeOf('number');
    expect(r.Records![0][1]).toEqual({ booleanValue: true });
    expect(r.Records![0][2]).toEqual({ isNull: true });
  });
});

describe('statement forms', () => {
  it('roles: create (EXTERNALID), alter, drop RESTRICT/FORCE, cycles, name clashes', async () => {
    await sql('CREATE ROLE "Sales_RO"');
    await sql('create role sales_rw externalid "ABC123"');
    await sql('ALTER ROLE "sales_rw" EXTERNALID TO "XYZ789"');
    await sql('GRANT ROLE sales_ro TO ROLE sales_rw');
    await sql('GRANT ROLE "sys:dba", "sys:secadmin" TO ROLE sales_rw');
    await sql('GRANT ROLE sales_rw TO analyst WITH ADMIN OPTION');
    expect(await sql('SELECT role_name, role_owner, external_id FROM svv_roles WHERE role_owner = \'awsuser\' ORDER BY role_name')).toEqual([
      { role_name: 'sales_ro', role_owner: 'awsuser', external_id: null },
      { role_name: 'sales_rw', role_owner: 'awsuser', external_id: 'XYZ789' },
    ]);
    expect(await sql("SELECT role_name, role_owner FROM svv_roles WHERE role_name = 'sys:dba'")).toEqual([{ role_name: 'sys:dba', role_owner: 'rdsdb' }]);
    expect(await sql('SELECT role_name, granted_role_name FROM svv_role_grants ORDER BY granted_role_name')).toEqual([
      { role_name: 'sales_rw', granted_role_name: 'sales_ro' },
      { role_name: 'sales_rw', granted_role_name: 'sys:dba' },
      { role_name: 'sales_rw', granted_role_name: 'sys:secadmin' },
    ]);
    expect(await sql('SELECT user_name, role_name, admin_option FROM svv_user_grants')).toEqual([{ user_name: 'analyst', role_name: 'sales_rw', admin_option: true }]);

    expect(await sqlError('GRANT ROLE sales_rw TO ROLE sales_ro')).toMatch(/cycle/);
    expect(await sqlError('GRANT ROLE sales_ro TO ROLE sales_ro')).toMatch(/cycle/);
    expect(await sqlError('CREATE ROLE analyst')).toMatch(/same name as an existing user/);
    expect(await sqlError('CREATE USER sales_ro PASSWORD DISABLE')).toMatch(/same name as an existing role/);
    expect(await sqlError('CREATE ROLE "sys:mine"')).toMatch(/reserved/);
    expect(await sqlError('DROP ROLE "sys:dba"')).toMatch(/system role/);
    expect(await sqlError('ALTER ROLE "sys:dba" EXTERNALID TO "x"')).toMatch(/system role/);
    expect(await sqlError('GRANT ROLE sales_ro TO ROLE "sys:dba"')).toMatch(/system role/);
    expect(await sqlError('CREATE ROLE sales_ro')).toMatch(/role "sales_ro" already exists/);

    expect(await sqlError('DROP ROLE sales_rw')).toBe('ERROR: cannot drop this role since it has been granted on a user');
    expect(await sqlError('DROP ROLE sales_ro RESTRICT')).toMatch(/granted on another role/);
    await sql('REVOKE ROLE sales_rw FROM analyst');
    expect(await sqlError('DROP ROLE sales_rw RESTRICT')).toBe('ERROR: cannot drop this role since it depends on another role');
    await sql('DROP ROLE sales_rw FORCE');
    await sql('DROP ROLE sales_ro');
    expect(await sql("SELECT role_name FROM svv_roles WHERE role_owner = 'awsuser'")).toEqual([]);
    expect(await sql('SELECT role_name FROM svv_role_grants')).toEqual([]);
  });

  it('a quoted identifier with quotes and semicolons creates exactly that role; names fold to lower case', async () => {
    await sql('CREATE ROLE "x""; DROP TABLE t; --"');
    await sql('CREATE ROLE "MiXeD"');
    await sql('CREATE ROLE UnQuoted');
    await sql('CREATE ROLE "oauth_aad:RSGroup"');
    expect(names(await sql("SELECT role_name FROM svv_roles WHERE role_owner = 'awsuser'"), 'role_name')).toEqual(['mixed', 'oauth_aad:rsgroup', 'unquoted', 'x"; drop table t; --']);
    expect(await sql("SELECT role_name FROM svv_roles WHERE role_name = 'x\"; drop table t; --'")).toHaveLength(1);
    expect(await sql("SELECT table_name FROM svv_all_tables WHERE schema_name = 'public' ORDER BY table_name")).toEqual([{ table_name: 'event' }, { table_name: 'sales' }]);
  });

  it('users: PASSWORD DISABLE, passwords, ALTER USER, DROP USER', async () => {
    await sql('CREATE USER "oauth_aad:Alice@example.com" PASSWORD DISABLE');
    await sql("CREATE USER etl WITH PASSWORD 'Secret123' CREATEDB CONNECTION LIMIT 10 SESSION TIMEOUT 3600");
    expect(await sqlError("CREATE USER weak PASSWORD 'short'")).toMatch(/Password must be 8 to 64/);
    expect(await sqlError("CREATE USER weak PASSWORD 'alllowercase1'")).toMatch(/uppercase/);
    expect(await sqlError('CREATE USER nopw')).toMatch(/syntax error at end of input/);
    await sql('ALTER USER etl NOCREATEDB CONNECTION LIMIT UNLIMITED');
    await sql('ALTER USER etl RENAME TO etl2');
    expect(await sql("SELECT user_name, createdb, connection_limit, session_timeout FROM svv_user_info WHERE user_name = 'etl2'")).toEqual([
      { user_name: 'etl2', createdb: false, connection_limit: 'UNLIMITED', session_timeout: 3600 },
    ]);
    const db = sb.state.redshift.clusters[0].databases[0];
    expect(db.users.find((u) => u.name === 'oauth_aad:alice@example.com')?.passwordDisabled).toBe(true);
    // A user owning objects cannot be dropped.
    await sql('CREATE TABLE public.owned_by_loader (id int)', { ...ADMIN, DbUser: 'awsuser' });
    db.schemas[0].tables.find((t) => t.name === 'owned_by_loader')!.owner = 'loader';
    expect(await sqlError('DROP USER loader')).toMatch(/owns some object/);
    await sql('DROP TABLE public.owned_by_loader');
    await sql('DROP USER loader, etl2');
    await sql('DROP USER IF EXISTS loader');
    expect(await sqlError('DROP USER loader')).toMatch(/user "loader" does not exist/);
  });

  it('system privileges go to roles only', async () => {
    await sql('CREATE ROLE sales_rw');
    await sql('GRANT TRUNCATE TABLE, CREATE OR REPLACE VIEW TO ROLE sales_rw');
    await sql('grant access system table to role "sales_rw"');
    expect(await sql("SELECT system_privilege, identity_name, identity_type FROM svv_system_privileges WHERE identity_name = 'sales_rw' ORDER BY system_privilege")).toEqual([
      { system_privilege: 'ACCESS SYSTEM TABLE', identity_name: 'sales_rw', identity_type: 'role' },
      { system_privilege: 'CREATE OR REPLACE VIEW', identity_name: 'sales_rw', identity_type: 'role' },
      { system_privilege: 'TRUNCATE TABLE', identity_name: 'sales_rw', identity_type: 'role' },
    ]);
    expect(await sqlError('GRANT TRUNCATE TABLE TO analyst')).toMatch(/only be granted to or revoked from roles/);
    expect(await sqlError('GRANT TRUNCATE TABLES TO ROLE sales_rw')).toMatch(/syntax error at or near "TRUNCATE"/);
    expect(await sqlError('GRANT TRUNCATE TABLE TO ROLE "sys:dba"')).toMatch(/system role/);
    await sql('REVOKE TRUNCATE TABLE, ACCESS SYSTEM TABLE FROM ROLE sales_rw');
    expect(await sql("SELECT system_privilege FROM svv_system_privileges WHERE identity_type = 'role' AND identity_name = 'sales_rw'")).toEqual([{ system_privilege: 'CREATE OR REPLACE VIEW' }]);
    // The system roles' built-in privileges are listed too (Redshift's documented example).
    expect(await sql("SELECT system_privilege, identity_name, identity_type FROM svv_system_privileges WHERE system_privilege = 'ALTER TABLE' AND identity_name = 'sys:superuser'")).toEqual([
      { system_privilege: 'ALTER TABLE', identity_name: 'sys:superuser', identity_type: 'role' },
    ]);
    expect(names(await sql("SELECT system_privilege FROM svv_system_privileges WHERE identity_name = 'sys:monitor'"), 'system_privilege')).toEqual(['ACCESS CATALOG', 'ACCESS SYSTEM TABLE']);
  });

  it('schema, table and default privileges', async () => {
    await sql('CREATE ROLE sales_ro');
    await sql('GRANT USAGE ON SCHEMA sales TO ROLE sales_ro');
    await sql('GRANT ALL ON SCHEMA marketing TO analyst WITH GRANT OPTION, ROLE sales_ro');
    await sql('GRANT USAGE ON SCHEMA public TO PUBLIC');
    expect(await sql('SELECT namespace_name, privilege_type, identity_name, identity_type, admin_option FROM svv_schema_privileges ORDER BY namespace_name, identity_name, privilege_type')).toEqual([
      { namespace_name: 'marketing', privilege_type: 'CREATE', identity_name: 'analyst', identity_type: 'user', admin_option: true },
      { namespace_name: 'marketing', privilege_type: 'USAGE', identity_name: 'analyst', identity_type: 'user', admin_option: true },
      { namespace_name: 'marketing', privilege_type: 'CREATE', identity_name: 'sales_ro', identity_type: 'role', admin_option: false },
      { namespace_name: 'marketing', privilege_type: 'USAGE', identity_name: 'sales_ro', identity_type: 'role', admin_option: false },
      { namespace_name: 'public', privilege_type: 'USAGE', identity_name: 'public', identity_type: 'public', admin_option: false },
      { namespace_name: 'sales', privilege_type: 'USAGE', identity_name: 'sales_ro', identity_type: 'role', admin_option: false },
    ]);
    await sql('REVOKE CREATE ON SCHEMA marketing FROM analyst, ROLE sales_ro');
    expect(await sql("SELECT privilege_type FROM svv_schema_privileges WHERE namespace_name = 'marketing'")).toHaveLength(2);
    expect(await sqlError('GRANT SELECT ON SCHEMA sales TO ROLE sales_ro')).toMatch(/invalid privilege type SELECT for schema/);
    expect(await sqlError('GRANT USAGE ON SCHEMA nope TO ROLE sales_ro')).toMatch(/schema "nope" does not exist/);
    expect(await sqlError('GRANT USAGE ON SCHEMA sales TO ROLE ghost')).toMatch(/role "ghost" does not exist/);

    await sql('GRANT SELECT ON ALL TABLES IN SCHEMA sales TO ROLE sales_ro');
    await sql('GRANT INSERT, UPDATE ON TABLE "sales"."orders" TO analyst');
    await sql('GRANT DELETE ON sales TO ROLE sales_ro'); // public.sales through the search path
    expect(await sql('SELECT namespace_name, relation_name, privilege_type, identity_name FROM svv_relation_privileges ORDER BY namespace_name, relation_name, privilege_type')).toEqual([
      { namespace_name: 'public', relation_name: 'sales', privilege_type: 'DELETE', identity_name: 'sales_ro' },
      { namespace_name: 'sales', relation_name: 'customers', privilege_type: 'SELECT', identity_name: 'sales_ro' },
      { namespace_name: 'sales', relation_name: 'orders', privilege_type: 'INSERT', identity_name: 'analyst' },
      { namespace_name: 'sales', relation_name: 'orders', privilege_type: 'SELECT', identity_name: 'sales_ro' },
      { namespace_name: 'sales', relation_name: 'orders', privilege_type: 'UPDATE', identity_name: 'analyst' },
    ]);
    await sql('REVOKE SELECT ON ALL TABLES IN SCHEMA sales FROM ROLE sales_ro');
    expect(await sql("SELECT relation_name FROM svv_relation_privileges WHERE identity_name = 'sales_ro'")).toEqual([{ relation_name: 'sales' }]);
    expect(await sqlError('GRANT SELECT ON sales.nope TO ROLE sales_ro')).toMatch(/relation "sales.nope" does not exist/);
    expect(await sqlError('GRANT USAGE ON sales.orders TO ROLE sales_ro')).toMatch(/invalid privilege type USAGE/);
    await sql('GRANT ALL PRIVILEGES ON sales.customers TO ROLE sales_ro');
    expect(await sql("SELECT privilege_type FROM svv_relation_privileges WHERE relation_name = 'customers'")).toHaveLength(8);

    await sql('ALTER DEFAULT PRIVILEGES FOR USER awsuser IN SCHEMA sales GRANT SELECT, INSERT ON TABLES TO ROLE sales_ro');
    await sql('ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO analyst');
    expect(await sql('SELECT schema_name, object_type, owner_name, owner_type, privilege_type, grantee_name, grantee_type FROM svv_default_privileges ORDER BY grantee_name, privilege_type')).toEqual([
      { schema_name: null, object_type: 'RELATION', owner_name: 'awsuser', owner_type: 'user', privilege_type: 'SELECT', grantee_name: 'analyst', grantee_type: 'user' },
      { schema_name: 'sales', object_type: 'RELATION', owner_name: 'awsuser', owner_type: 'user', privilege_type: 'INSERT', grantee_name: 'sales_ro', grantee_type: 'role' },
      { schema_name: 'sales', object_type: 'RELATION', owner_name: 'awsuser', owner_type: 'user', privilege_type: 'SELECT', grantee_name: 'sales_ro', grantee_type: 'role' },
    ]);
    // A table created later gets the default privileges of its owner.
    await sql('CREATE TABLE sales.refunds (id integer, amount decimal(10,2))');
    expect(names(await sql("SELECT privilege_type FROM svv_relation_privileges WHERE relation_name = 'refunds' AND identity_name = 'sales_ro'"), 'privilege_type')).toEqual(['INSERT', 'SELECT']);
    await sql('ALTER DEFAULT PRIVILEGES FOR USER awsuser IN SCHEMA sales REVOKE INSERT ON TABLES FROM ROLE sales_ro');
    expect(await sql("SELECT privilege_type FROM svv_default_privileges WHERE grantee_name = 'sales_ro'")).toEqual([{ privilege_type: 'SELECT' }]);
    expect(await sqlError('ALTER DEFAULT PRIVILEGES FOR ROLE awsuser GRANT SELECT ON TABLES TO analyst')).toMatch(/syntax error at or near "ROLE"/);
  });

  it('column privileges: GRANT/REVOKE SELECT and UPDATE (columns), svv_column_privileges, UNION ALL with constants', async () => {
    await sql('CREATE ROLE sales_ro');
    await sql('CREATE TABLE sales.people (id integer NOT NULL, "Full Name" varchar(64) DEFAULT \'x\', email varchar(256), PRIMARY KEY (id), UNIQUE (email))');
    await sql('GRANT SELECT (id, "Full Name"), UPDATE (email) ON TABLE sales.people TO ROLE sales_ro, analyst');
    await sql('GRANT SELECT (anything) ON sales.orders TO PUBLIC'); // a table from the state file: columns unknown, any name accepted
    expect(await sql('SELECT relation_name, column_name, privilege_type, identity_name, identity_type FROM svv_column_privileges ORDER BY relation_name, identity_name, column_name')).toEqual([
      { relation_name: 'orders', column_name: 'anything', privilege_type: 'SELECT', identity_name: 'public', identity_type: 'public' },
      { relation_name: 'people', column_name: 'email', privilege_type: 'UPDATE', identity_name: 'analyst', identity_type: 'user' },
      { relation_name: 'people', column_name: 'full name', privilege_type: 'SELECT', identity_name: 'analyst', identity_type: 'user' },
      { relation_name: 'people', column_name: 'id', privilege_type: 'SELECT', identity_name: 'analyst', identity_type: 'user' },
      { relation_name: 'people', column_name: 'email', privilege_type: 'UPDATE', identity_name: 'sales_ro', identity_type: 'role' },
      { relation_name: 'people', column_name: 'full name', privilege_type: 'SELECT', identity_name: 'sales_ro', identity_type: 'role' },
      { relation_name: 'people', column_name: 'id', privilege_type: 'SELECT', identity_name: 'sales_ro', identity_type: 'role' },
    ]);
    await sql('REVOKE SELECT ("Full Name"), UPDATE (email) ON sales.people FROM analyst');
    expect(await sql("SELECT column_name FROM svv_column_privileges WHERE identity_name = 'analyst'")).toEqual([{ column_name: 'id' }]);
    // The analyst sees only its own rows and PUBLIC's.
    expect(names(await sql('SELECT column_name FROM svv_column_privileges', ANALYST), 'column_name')).toEqual(['anything', 'id']);
    expect(await sqlError('GRANT SELECT (nope) ON sales.people TO analyst')).toMatch(/column "nope" of relation "people" does not exist/);
    expect(await sqlError('GRANT DELETE (id) ON sales.people TO analyst')).toMatch(/invalid privilege type DELETE for column/);
    expect(await sqlError('GRANT SELECT (id), DELETE ON sales.people TO analyst')).toMatch(/syntax error at or near "DELETE"/);
    // Table and column privileges in one UNION ALL (column_name NULL for table privileges), ordered over the union.
    await sql('GRANT INSERT ON sales.people TO analyst');
    expect(
      await sql(
        "SELECT relation_name, NULL::varchar AS column_name, privilege_type FROM svv_relation_privileges WHERE identity_name = 'analyst' UNION ALL SELECT relation_name, column_name, privilege_type FROM svv_column_privileges WHERE identity_name = 'analyst' ORDER BY privilege_type",
      ),
    ).toEqual([
      { relation_name: 'people', column_name: null, privilege_type: 'INSERT' },
      { relation_name: 'people', column_name: 'id', privilege_type: 'SELECT' },
    ]);
    expect(await sqlError("SELECT relation_name FROM svv_relation_privileges UNION ALL SELECT relation_name, 'x' AS y FROM svv_column_privileges")).toMatch(/same number of columns/);
    // Dropping the table drops its column privileges.
    await sql('DROP TABLE sales.people');
    expect(await sql("SELECT column_name FROM svv_column_privileges WHERE relation_name = 'people'")).toEqual([]);
  });

  it('identity providers: create, alter replaces parameters, the secret is never shown, drop', async () => {
    const params = { issuer: 'https://sts.windows.net/tenant/', client_id: 'app-id', client_secret: 's3cr3t', audience: ['api://redshift'] };
    await sql(`CREATE IDENTITY PROVIDER "oauth_standard" TYPE azure NAMESPACE 'oauth_aad' PARAMETERS '${JSON.stringify(params)}'`);
    const rows = await sql('SELECT name, type, namespc, params, enabled FROM svv_identity_providers');
    expect(rows).toEqual([{ name: 'oauth_standard', type: 'azure', namespc: 'oauth_aad', params: expect.any(String), enabled: true }]);
    expect(JSON.parse(rows[0].params as string)).toEqual({ issuer: params.issuer, client_id: 'app-id', audience: ['api://redshift'] });
    expect(rows[0].params).not.toContain('s3cr3t');
    const altered = { ...params, client_id: 'app-2', client_secret: "it's new" };
    await sql(`ALTER IDENTITY PROVIDER oauth_standard PARAMETERS '${JSON.stringify(altered).replace(/'/g, "''")}'`);
    await sql('ALTER IDENTITY PROVIDER oauth_standard DISABLE');
    const after = await sql('SELECT params, enabled FROM svv_identity_providers');
    expect(JSON.parse(after[0].params as string).client_id).toBe('app-2');
    expect(after[0].enabled).toBe(false);
    expect(sb.state.redshift.clusters[0].databases[0].identityProviders[0].params.client_secret).toBe("it's new");
    expect(await sqlError(`ALTER IDENTITY PROVIDER oauth_standard PARAMETERS '{"issuer":"x"}'`)).toMatch(/client_id/);
    expect(await sqlError(`CREATE IDENTITY PROVIDER other TYPE azure NAMESPACE 'oauth_aad' PARAMETERS '${JSON.stringify(params)}'`)).toMatch(/already used/);
    await sql('CREATE ROLE "oauth_aad:rsgroup"');
    expect(await sqlError('DROP IDENTITY PROVIDER oauth_standard')).toMatch(/depend/);
    await sql('DROP IDENTITY PROVIDER oauth_standard CASCADE');
    expect(await sql('SELECT name FROM svv_identity_providers')).toEqual([]);
    expect(await sql("SELECT role_name FROM svv_roles WHERE role_name = 'oauth_aad:rsgroup'")).toEqual([]);
    // Only superusers see or manage providers.
    expect(await sqlError(`CREATE IDENTITY PROVIDER p2 TYPE azure NAMESPACE 'ns2' PARAMETERS '${JSON.stringify(params)}'`, ANALYST)).toMatch(/permission denied/);
  });

  it('schemas and tables for fixtures', async () => {
    await sql('CREATE SCHEMA IF NOT EXISTS finance');
    await sql('CREATE SCHEMA finance2 AUTHORIZATION analyst');
    await sql('CREATE TABLE finance.ledger (id bigint, "note" varchar(100) default \'x\')');
    await sql('CREATE TABLE IF NOT EXISTS finance.ledger (id bigint)');
    expect(await sqlError('CREATE TABLE finance.ledger (id bigint)')).toMatch(/already exists/);
    expect(await sql("SELECT database_name, schema_name, table_name, table_type FROM svv_all_tables WHERE schema_name = 'finance'")).toEqual([
      { database_name: 'dev', schema_name: 'finance', table_name: 'ledger', table_type: 'TABLE' },
    ]);
    await sql('DROP TABLE finance.ledger');
    await sql('DROP TABLE IF EXISTS finance.ledger');
    expect(await sqlError('DROP TABLE finance.ledger')).toMatch(/does not exist/);
    expect(sb.state.redshift.clusters[0].databases[0].schemas.find((s) => s.name === 'finance2')?.owner).toBe('analyst');
  });

  it('anything else is a syntax error; views and columns are checked', async () => {
    expect(await sqlError('CREATE ROLEE x')).toBe('ERROR: syntax error at or near "ROLEE"\n  Position: 8');
    expect(await sqlError('GRANT SELECT ON ALL TABLES sales TO ROLE r')).toMatch(/syntax error at or near "sales"/);
    expect(await sqlError('CREATE ROLE "unterminated')).toMatch(/unterminated quoted identifier/);
    expect(await sqlError('DELETE FROM sales')).toMatch(/syntax error at or near "DELETE"/);
    expect(await sqlError('CREATE ROLE a; CREATE ROLE b')).toMatch(/multiple commands/);
    expect(await sqlError('SELECT role_name FROM svv_nope')).toMatch(/relation "svv_nope" does not exist/);
    expect(await sqlError('SELECT nope FROM svv_roles')).toMatch(/column "nope" does not exist/);
    expect(await sqlError("SELECT role_name FROM svv_roles WHERE role_name LIKE 'x'")).toMatch(/syntax error at or near "LIKE"/);
    expect(await sqlError('BEGIN')).toMatch(/not supported/);
    expect(await sql('-- a comment\nSELECT /* inline */ current_user ;')).toEqual([{ current_user: 'awsuser' }]);
    expect(await sql('SELECT role_name FROM pg_catalog.svv_roles WHERE role_name = current_user')).toEqual([]);
  });

  it('a non-superuser without the system privilege gets permission denied', async () => {
    expect(await sqlError('CREATE ROLE r', ANALYST)).toMatch(/permission denied to create role/);
    expect(await sqlError('CREATE USER u PASSWORD DISABLE', ANALYST)).toMatch(/permission denied/);
    await sql('CREATE ROLE creators');
    await sql('GRANT CREATE ROLE TO ROLE creators');
    await sql('GRANT ROLE creators TO analyst');
    await sql('CREATE ROLE by_analyst', ANALYST);
    expect(await sql("SELECT role_owner FROM svv_roles WHERE role_name = 'by_analyst'")).toEqual([{ role_owner: 'analyst' }]);
    expect(await sqlError('GRANT USAGE ON SCHEMA sales TO ROLE by_analyst', ANALYST)).toMatch(/permission denied for schema sales/);
  });
});

describe('visibility of the SVV views', () => {
  beforeEach(async () => {
    await batch([
      'CREATE ROLE sales_ro',
      'CREATE ROLE sales_rw',
      'CREATE ROLE marketing_ro',
      'CREATE ROLE seer',
      'GRANT ROLE sales_ro TO ROLE sales_rw',
      'GRANT ROLE sales_rw TO analyst',
      'GRANT ROLE marketing_ro TO loader',
      'GRANT TRUNCATE TABLE TO ROLE sales_rw',
      'GRANT TRUNCATE TABLE TO ROLE marketing_ro',
      'GRANT USAGE ON SCHEMA sales TO ROLE sales_ro',
      'GRANT USAGE ON SCHEMA marketing TO ROLE marketing_ro',
      'GRANT SELECT ON ALL TABLES IN SCHEMA marketing TO ROLE marketing_ro',
      'GRANT ACCESS SYSTEM TABLE TO ROLE seer',
    ]);
  });

  it('a user without ACCESS SYSTEM TABLE sees only rows about themselves and their roles', async () => {
    expect(names(await sql('SELECT user_name FROM svv_user_info', ANALYST), 'user_name')).toEqual(['analyst']);
    expect(names(await sql('SELECT role_name FROM svv_roles', ANALYST), 'role_name')).toEqual(['sales_ro', 'sales_rw']);
    expect(await sql('SELECT role_name, granted_role_name FROM svv_role_grants', ANALYST)).toEqual([{ role_name: 'sales_rw', granted_role_name: 'sales_ro' }]);
    expect(await sql('SELECT user_name, role_name FROM svv_user_grants', ANALYST)).toEqual([{ user_name: 'analyst', role_name: 'sales_rw' }]);
    expect(await sql('SELECT identity_name FROM svv_system_privileges', ANALYST)).toEqual([{ identity_name: 'sales_rw' }]);
    expect(await sql('SELECT namespace_name FROM svv_schema_privileges', ANALYST)).toEqual([{ namespace_name: 'sales' }]);
    expect(await sql('SELECT relation_name FROM svv_relation_privileges', ANALYST)).toEqual([]);
    // The superuser sees everything.
    expect(names(await sql('SELECT user_name FROM svv_user_info'), 'user_name')).toEqual(['analyst', 'awsuser', 'loader']);
    expect(await sql("SELECT identity_name FROM svv_system_privileges WHERE identity_name = 'seer'")).toHaveLength(1);
    expect((await sql('SELECT identity_name FROM svv_system_privileges')).length).toBeGreaterThan(40);
  });

  it('ACCESS SYSTEM TABLE through a custom role or a system role shows every row', async () => {
    await sql('GRANT ROLE seer TO analyst');
    expect(names(await sql('SELECT user_name FROM svv_user_info', ANALYST), 'user_name')).toEqual(['analyst', 'awsuser', 'loader']);
    // Except SVV_RELATION_PRIVILEGES: other identities' rows only for superusers and SYSLOG ACCESS UNRESTRICTED (Redshift docs).
    expect(await sql('SELECT relation_name FROM svv_relation_privileges', ANALYST)).toHaveLength(0);
    await sql('ALTER USER analyst SYSLOG ACCESS UNRESTRICTED');
    expect(await sql('SELECT relation_name FROM svv_relation_privileges', ANALYST)).toHaveLength(1);
    await sql('ALTER USER analyst SYSLOG ACCESS RESTRICTED');
    await sql('REVOKE ROLE seer FROM analyst');
    expect(await sql('SELECT user_name FROM svv_user_info', ANALYST)).toHaveLength(1);
    await sql('GRANT ROLE "sys:monitor" TO analyst');
    expect(await sql('SELECT user_name FROM svv_user_info', ANALYST)).toHaveLength(3);
    // Seeing is not managing: sys:monitor does not allow CREATE ROLE.
    expect(await sqlError('CREATE ROLE r', ANALYST)).toMatch(/permission denied/);
  });
});

describe('state', () => {
  it('is saved and reloaded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'charter-rs-'));
    try {
      await batch([
        'CREATE ROLE "x""; DROP TABLE t; --"',
        'CREATE USER "oauth_aad:bob@example.com" PASSWORD DISABLE',
        'GRANT ROLE "x""; DROP TABLE t; --" TO "oauth_aad:bob@example.com"',
        'GRANT ROLE "sys:operator" TO ROLE "x""; DROP TABLE t; --"',
        'GRANT USAGE ON SCHEMA sales TO ROLE "x""; DROP TABLE t; --"',
        'GRANT SELECT ON sales.orders TO ROLE "x""; DROP TABLE t; --"',
        'ALTER DEFAULT PRIVILEGES FOR USER awsuser IN SCHEMA sales GRANT SELECT ON TABLES TO ROLE "x""; DROP TABLE t; --"',
        'GRANT DROP USER TO ROLE "x""; DROP TABLE t; --"',
        `CREATE IDENTITY PROVIDER azure_idp TYPE azure NAMESPACE 'oauth_aad' PARAMETERS '{"issuer":"https://sts.windows.net/t/","client_id":"c","client_secret":"s","audience":["a"]}'`,
      ]);
      const file = join(dir, 'state.json');
      await sb.save(file);
      const saved = JSON.parse(await readFile(file, 'utf8')) as { redshift: { clusters: Array<{ databases: Array<{ roles: Array<{ name: string }> }> }> } };
      expect(saved.redshift.clusters[0].databases[0].roles.map((r) => r.name)).toEqual(['x"; drop table t; --']);
      const before = await sql('SELECT role_id, role_name, granted_role_name FROM svv_role_grants');
      const loaded = await loadSandboxState(file);
      expect(loaded.redshift).toEqual(sb.state.redshift);
      client.destroy();
      await sb.close();
      sb = await startSandbox({ stateFile: file });
      client = new RedshiftDataClient({ endpoint: sb.endpoint, region: 'us-east-1', credentials });
      expect(await sql('SELECT role_id, role_name, granted_role_name FROM svv_role_grants')).toEqual(before);
      expect(await sql('SELECT user_name, role_name FROM svv_user_grants')).toEqual([{ user_name: 'oauth_aad:bob@example.com', role_name: 'x"; drop table t; --' }]);
      expect(await sql('SELECT system_privilege FROM svv_system_privileges WHERE identity_name = \'x"; drop table t; --\'')).toEqual([{ system_privilege: 'DROP USER' }]);
      expect(await sql('SELECT privilege_type FROM svv_default_privileges')).toEqual([{ privilege_type: 'SELECT' }]);
      expect(await sql('SELECT namespc FROM svv_identity_providers')).toEqual([{ namespc: 'oauth_aad' }]);
      // New ids do not collide with saved ones.
      await sql('CREATE ROLE fresh');
      const ids = (await sql('SELECT role_id FROM svv_roles')).map((r) => r.role_id);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('validates a hand-written redshift section with clear errors', () => {
    const bad = () =>
      startSandbox({
        state: {
          settings: { redshift: { resultPageSize: 0 } },
          redshift: {
            secrets: { 'not-an-arn': { username: 'x' } },
            clusters: [
              {
                identifier: 'Bad_Cluster',
                databases: [
                  {
                    name: 'dev',
                    superusers: ['awsuser'],
                    roles: ['awsuser', 'sys:dba', { name: 'r', owner: 'ghost' }],
                    roleGrants: [{ role: 'r', granteeType: 'role', grantee: 'r' }],
                    schemaPrivileges: [{ schema: 'nope', privilege: 'USAGE', grantee: 'r' }],
                    systemPrivileges: [{ privilege: 'FLY', role: 'r' }, { privilege: 'vacuum', role: 'r' }, { privilege: 'VACUUM', role: 'r' }],
                    recrods: [],
                  },
                ],
              },
            ],
          },
        },
      });
    return bad().then(
      () => expect.fail('expected SandboxStateError'),
      (e: unknown) => {
        expect(e).toBeInstanceOf(SandboxStateError);
        const problems = (e as SandboxStateError).problems.join('\n');
        expect(problems).toMatch(/settings\.redshift\.resultPageSize: expected an integer from 1/);
        expect(problems).toMatch(/redshift\.secrets\["not-an-arn"\]: expected a Secrets Manager secret ARN/);
        expect(problems).toMatch(/redshift\.clusters\[0\]\.identifier/);
        expect(problems).toMatch(/roles\[0\]\.name: role awsuser has the name of a user/);
        expect(problems).toMatch(/roles\[1\]\.name: "sys:" is reserved/);
        expect(problems).toMatch(/roles\[2\]\.owner: no user "ghost"/);
        expect(problems).toMatch(/a cycle/);
        expect(problems).toMatch(/schemaPrivileges\[0\]\.schema: no schema "nope"/);
        expect(problems).toMatch(/systemPrivileges\[0\]\.privilege: expected one of/);
        expect(problems).toMatch(/systemPrivileges\[2\]: duplicate grant/);
        expect(problems).toMatch(/databases\[0\]\.recrods: unknown field/);
      },
    );
  });

  it('the example account has the RBAC walkthrough cluster', async () => {
    const state = await loadSandboxState(join(import.meta.dirname, '../../policies/examples/sandbox-account.json'));
    const cluster = state.redshift.clusters.find((c) => c.identifier === 'examplecluster')!;
    const dev = cluster.databases.find((d) => d.name === 'dev')!;
    expect(dev.users.find((u) => u.name === 'awsuser')?.superuser).toBe(true);
    expect(Object.fromEntries(dev.schemas.map((s) => [s.name, s.tables.map((t) => t.name)]))).toEqual({
      public: ['sales', 'event', 'listing'],
      sales: ['orders', 'customers'],
      marketing: ['campaigns', 'leads'],
    });
  });
});
