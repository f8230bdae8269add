/**
 * The diff is pure: desired spec + live state → ordered changes with exact SQL. Redshift dialect here
 * (the PostgreSQL dialect runs against a real server in postgres.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/core/document.js';
import { renderPlan } from '../../src/core/render/index.js';
import { buildPlan } from '../../src/core/plan.js';
import { diffPolicy, PHASE } from '../../src/providers/redshift/diff.js';
import type { Executor, Row } from '../../src/providers/redshift/executor.js';
import { desiredState } from '../../src/providers/redshift/model.js';
import { readRedshift } from '../../src/providers/redshift/read-redshift.js';
import { planPolicy } from '../../src/providers/redshift/runtime.js';
import type { RedshiftGrantsSpec } from '../../src/providers/redshift/spec.generated.js';
import { PartialVisibilityError, type LiveState } from '../../src/providers/redshift/state.js';

function doc(spec: RedshiftGrantsSpec): PolicyDocument<RedshiftGrantsSpec> {
  return { apiVersion: 'charter/v1', kind: 'RedshiftGrants', name: 'warehouse', spec, file: 'grants.yml', absoluteFile: '/x/grants.yml', index: 0, position: () => ({ file: 'grants.yml', line: 1, column: 1 }) };
}

const connection = { dialect: 'redshift' as const, dataApi: { clusterIdentifier: 'analytics', database: 'dev', dbUser: 'admin' } };
const idp = { name: 'oauth_standard', type: 'azure' as const, namespace: 'oauth_aad', issuer: 'https://sts.windows.net/tenant/', clientId: 'client-1', audience: ['api://aud'] as [string], clientSecretFromEnv: 'AAD_SECRET' };

function live(overrides: Partial<LiveState> = {}): LiveState {
  return {
    dialect: 'redshift',
    currentUser: 'admin',
    principals: [
      { name: 'admin', kind: 'user', superuser: true },
      { name: 'rdsdb', kind: 'user', superuser: true },
      { name: 'sys:dba', kind: 'role', superuser: false },
    ],
    memberships: [],
    privileges: [],
    identityProviders: [],
    schemas: new Map([
      ['sales', { name: 'sales', tables: ['orders', 'items'], tableOwners: new Map() }],
      ['empty', { name: 'empty', tables: [], tableOwners: new Map() }],
    ]),
    schemasComplete: false,
    queries: 0,
    ...overrides,
  };
}

const rbac: RedshiftGrantsSpec = {
  connection,
  manage: { schemas: ['sales', 'empty'], ignorePrincipals: ['oauth_aad:auto_*'] },
  identityProviders: [idp],
  roles: [
    { name: 'sales_ro', privileges: { schemas: [{ schema: 'sales', privileges: ['usage'] }], tables: [{ schema: 'sales', allTables: true, privileges: ['select'] }, { schema: 'empty', allTables: true, privileges: ['select'] }] } },
    { name: 'Sales_RW', memberOf: ['sales_ro'], privileges: { system: ['TRUNCATE TABLE'], tables: [{ schema: 'sales', allTables: true, privileges: ['insert', 'update', 'delete'] }] } },
    { name: 'db_admin', memberOf: ['sys:dba'] },
    { name: 'oauth_aad:rsgroup', privileges: { futureTables: [{ schema: 'sales', owner: 'etl', privileges: ['select'] }] } },
  ],
  users: [
    { name: 'salesanalyst', roles: ['sales_ro'] },
    { name: 'oauth_aad:alice@example.com', identityProvider: 'oauth_standard', roles: ['oauth_aad:rsgroup'] },
  ],
};

describe('diff (Redshift dialect)', () => {
  it('orders changes: identity providers, roles, users, role grants, privileges; sorted within each phase', () => {
    const { changes, diagnostics } = diffPolicy(doc(rbac), desiredState(doc(rbac)), live());
    expect(diagnostics).toEqual([]);
    const plan = buildPlan({ changes, diagnostics, inputs: {}, policies: [], salt: {}, kindOrder: () => 0 });
    expect(plan.changes.map((c) => [c.phase, c.title])).toEqual([
      [PHASE.identityProvider, `CREATE IDENTITY PROVIDER "oauth_standard" TYPE azure NAMESPACE 'oauth_aad' PARAMETERS '{"issuer":"https://sts.windows.net/tenant/","client_id":"client-1","client_secret":"***","audience":["api://aud"]}'`],
      [PHASE.createRole, 'CREATE ROLE "db_admin"'],
      [PHASE.createRole, 'CREATE ROLE "oauth_aad:rsgroup"'],
      [PHASE.createRole, 'CREATE ROLE "sales_ro"'],
      [PHASE.createRole, 'CREATE ROLE "Sales_RW"'],
      [PHASE.createUser, 'CREATE USER "oauth_aad:alice@example.com" PASSWORD DISABLE'],
      [PHASE.createUser, 'CREATE USER "salesanalyst" PASSWORD DISABLE'],
      [PHASE.grantRoleToRole, 'GRANT ROLE "sys:dba" TO ROLE "db_admin"'],
      [PHASE.grantRoleToRole, 'GRANT ROLE "sales_ro" TO ROLE "Sales_RW"'],
      [PHASE.grantRoleToUser, 'GRANT ROLE "oauth_aad:rsgroup" TO "oauth_aad:alice@example.com"'],
      [PHASE.grantRoleToUser, 'GRANT ROLE "sales_ro" TO "salesanalyst"'],
      [PHASE.grantSystem, 'GRANT TRUNCATE TABLE TO ROLE "Sales_RW"'],
      [PHASE.grantSchema, 'GRANT USAGE ON SCHEMA "sales" TO ROLE "sales_ro"'],
      [PHASE.grantTable, 'GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO ROLE "sales_ro"'],
      [PHASE.grantTable, 'GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "sales" TO ROLE "Sales_RW"'],
      [PHASE.grantFuture, 'ALTER DEFAULT PRIVILEGES FOR USER "etl" IN SCHEMA "sales" GRANT SELECT ON TABLES TO ROLE "oauth_aad:rsgroup"'],
    ]);
    // An empty schema gets no all-tables grant: there is nothing to grant on.
    expect(plan.changes.some((c) => c.title.includes('"empty"'))).toBe(false);
    expect(plan.changes.every((c) => c.risk === 'safe')).toBe(true);
  });

  it('compares names lower-cased, and "all tables" holds only when every table has the privilege', () => {
    const state = live({
      principals: [...live().principals, { name: 'sales_ro', kind: 'role', superuser: false }, { name: 'sales_rw', kind: 'role', superuser: false }],
      memberships: [{ role: 'sales_ro', member: 'sales_rw', memberKind: 'role' }],
      privileges: [
        { grantee: 'sales_ro', granteeKind: 'role', target: { type: 'schema', schema: 'sales' }, privilege: 'usage' },
        { grantee: 'sales_ro', granteeKind: 'role', target: { type: 'table', schema: 'sales', table: 'orders' }, privilege: 'select' },
        { grantee: 'sales_rw', granteeKind: 'role', target: { type: 'system' }, privilege: 'TRUNCATE TABLE' },
        ...['orders', 'items'].flatMap((table) =>
          ['insert', 'update', 'delete'].map((privilege) => ({ grantee: 'sales_rw', granteeKind: 'role' as const, target: { type: 'table' as const, schema: 'sales', table }, privilege })),
        ),
      ],
    });
    const spec: RedshiftGrantsSpec = { connection, manage: { schemas: ['sales'] }, roles: rbac.roles!.slice(0, 2) };
    const { changes } = diffPolicy(doc(spec), desiredState(doc(spec)), state);
    // Only sales_ro's SELECT on items is missing: GRANT ... ON ALL TABLES covers it.
    expect(changes.map((c) => c.title)).toEqual(['GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO ROLE "sales_ro"']);
  });

  it('revokes in reverse order, after every grant; drops last, only with allowDrops, RESTRICT, never CASCADE', () => {
    const state = live({
      principals: [
        ...live().principals,
        { name: 'sales_ro', kind: 'role', superuser: false },
        { name: 'old_role', kind: 'role', superuser: false },
        { name: 'old_user', kind: 'user', superuser: false },
        { name: 'oauth_aad:auto_group', kind: 'role', superuser: false },
      ],
      memberships: [
        { role: 'old_role', member: 'old_user', memberKind: 'user' },
        { role: 'sys:dba', member: 'sales_ro', memberKind: 'role' },
      ],
      privileges: [
        { grantee: 'sales_ro', granteeKind: 'role', target: { type: 'schema', schema: 'sales' }, privilege: 'create' },
        { grantee: 'sales_ro', granteeKind: 'role', target: { type: 'system' }, privilege: 'DROP USER' },
        { grantee: 'old_role', granteeKind: 'role', target: { type: 'table', schema: 'sales', table: 'orders' }, privilege: 'select' },
        { grantee: 'old_role', granteeKind: 'role', target: { type: 'table', schema: 'sales', table: 'items' }, privilege: 'select' },
        { grantee: 'old_role', granteeKind: 'role', target: { type: 'table', schema: 'other', table: 'x' }, privilege: 'select' },
        { grantee: 'old_user', granteeKind: 'user', target: { type: 'future', schema: 'sales', owner: 'etl' }, privilege: 'select' },
        { grantee: 'oauth_aad:auto_group', granteeKind: 'role', target: { type: 'schema', schema: 'sales' }, privilege: 'usage' },
      ],
      identityProviders: [{ name: 'old_idp', type: 'azure', namespace: 'old', issuer: 'https://x/', clientId: 'c', audience: ['a'], enabled: true }],
    });
    const spec = (allowDrops: boolean): RedshiftGrantsSpec => ({ connection, manage: { schemas: ['sales'], ignorePrincipals: ['oauth_aad:auto_*'], allowDrops }, roles: [{ name: 'SALES_RO', privileges: { schemas: [{ schema: 'sales', privileges: ['usage'] }] } }] });

    const kept = diffPolicy(doc(spec(false)), desiredState(doc(spec(false))), state);
    const keptPlan = buildPlan({ changes: kept.changes, diagnostics: [], inputs: {}, policies: [], salt: {}, kindOrder: () => 0 });
    // Without allowDrops the undeclared principals are kept, but not their privileges in the managed schema.
    expect(keptPlan.changes.map((c) => [c.phase, c.title, c.risk])).toEqual([
      [PHASE.grantSchema, 'GRANT USAGE ON SCHEMA "sales" TO ROLE "SALES_RO"', 'safe'],
      [PHASE.revokeFuture, 'ALTER DEFAULT PRIVILEGES FOR USER "etl" IN SCHEMA "sales" REVOKE SELECT ON TABLES FROM "old_user"', 'destructive'],
      [PHASE.revokeTable, 'REVOKE SELECT ON ALL TABLES IN SCHEMA "sales" FROM ROLE "old_role"', 'destructive'],
      [PHASE.revokeSchema, 'REVOKE CREATE ON SCHEMA "sales" FROM ROLE "SALES_RO"', 'destructive'],
      [PHASE.revokeSystem, 'REVOKE DROP USER FROM ROLE "SALES_RO"', 'destructive'],
      [PHASE.revokeRoleFromRole, 'REVOKE ROLE "sys:dba" FROM ROLE "SALES_RO"', 'destructive'],
    ]);
    expect(kept.diagnostics.map((d) => [d.code, d.severity, d.message])).toEqual([
      ['redshift/principals-left-alone', 'notice', '2 role(s) or user(s) in the database are not in the policy and are left alone: old_role, old_user'],
      ['redshift/identity-providers-left-alone', 'notice', '1 identity provider(s) in the database are not in the policy and are left alone: old_idp'],
      [
        'redshift/undeclared-principal-privileges-revoked',
        'warning',
        '2 role(s) or user(s) not in the policy hold privileges in managed schemas; the plan revokes those privileges (the roles and users themselves are kept, manage.allowDrops is off): old_role, old_user',
      ],
    ]);
    expect(keptPlan.changes.find((c) => c.title.includes('"old_role"'))?.reason).toBe('old_role is not in the policy: its privileges in managed schemas are revoked (on all tables in schema sales); the role itself is kept (manage.allowDrops is off)');

    const dropped = diffPolicy(doc(spec(true)), desiredState(doc(spec(true))), state);
    const plan = buildPlan({ changes: dropped.changes, diagnostics: [], inputs: {}, policies: [], salt: {}, kindOrder: () => 0 });
    expect(plan.changes.map((c) => [c.phase, c.title, c.risk])).toEqual([
      [PHASE.grantSchema, 'GRANT USAGE ON SCHEMA "sales" TO ROLE "SALES_RO"', 'safe'],
      [PHASE.revokeFuture, 'ALTER DEFAULT PRIVILEGES FOR USER "etl" IN SCHEMA "sales" REVOKE SELECT ON TABLES FROM "old_user"', 'destructive'],
      [PHASE.revokeTable, 'REVOKE SELECT ON ALL TABLES IN SCHEMA "sales" FROM ROLE "old_role"', 'destructive'],
      [PHASE.revokeSchema, 'REVOKE CREATE ON SCHEMA "sales" FROM ROLE "SALES_RO"', 'destructive'],
      [PHASE.revokeSystem, 'REVOKE DROP USER FROM ROLE "SALES_RO"', 'destructive'],
      [PHASE.revokeRoleFromUser, 'REVOKE ROLE "old_role" FROM "old_user"', 'destructive'],
      [PHASE.revokeRoleFromRole, 'REVOKE ROLE "sys:dba" FROM ROLE "SALES_RO"', 'destructive'],
      [PHASE.dropUser, 'DROP USER "old_user"', 'destructive'],
      [PHASE.dropRole, 'DROP ROLE "old_role" RESTRICT', 'destructive'],
      [PHASE.dropIdentityProvider, 'DROP IDENTITY PROVIDER "old_idp"', 'destructive'],
    ]);
    // Never the ignored role, the superusers, rdsdb, sys:* roles, or schemas outside manage.schemas.
    expect(plan.changes.some((c) => /auto_group|"admin"|rdsdb|DROP ROLE "sys:|"other"|CASCADE/.test(c.title))).toBe(false);
  });

  it("never revokes from or drops Redshift's datasharing principals (ds:<share> roles, ds:<share>_consumer users), even with allowDrops", () => {
    const state = live({
      principals: [...live().principals, { name: 'ds:sales_share', kind: 'role', superuser: false }, { name: 'ds:sales_share_consumer', kind: 'user', superuser: false }],
      memberships: [{ role: 'ds:sales_share', member: 'ds:sales_share_consumer', memberKind: 'user' }],
      privileges: [
        { grantee: 'ds:sales_share', granteeKind: 'role', target: { type: 'schema', schema: 'sales' }, privilege: 'usage' },
        { grantee: 'ds:sales_share', granteeKind: 'role', target: { type: 'table', schema: 'sales', table: 'orders' }, privilege: 'select' },
      ],
    });
    const spec: RedshiftGrantsSpec = { connection, manage: { schemas: ['sales'], allowDrops: true } };
    const { changes, diagnostics } = diffPolicy(doc(spec), desiredState(doc(spec)), state);
    expect(changes).toEqual([]);
    expect(diagnostics).toEqual([]);
  });

  describe('PUBLIC', () => {
    // The walkthrough's leak: PUBLIC may use schema marketing and read marketing.region, so every user can.
    const leaky = () =>
      live({
        principals: [
          ...live().principals,
          { name: 'marketing_ro', kind: 'role', superuser: false },
          { name: 'salesanalyst', kind: 'user', superuser: false },
          { name: 'marketinganalyst', kind: 'user', superuser: false },
          { name: 'etl', kind: 'user', superuser: false },
        ],
        memberships: [{ role: 'marketing_ro', member: 'marketinganalyst', memberKind: 'user' }],
        privileges: [
          { grantee: 'marketing_ro', granteeKind: 'role', target: { type: 'schema', schema: 'marketing' }, privilege: 'usage' },
          { grantee: 'marketing_ro', granteeKind: 'role', target: { type: 'table', schema: 'marketing', table: 'region' }, privilege: 'select' },
          { grantee: 'PUBLIC', granteeKind: 'public', target: { type: 'schema', schema: 'marketing' }, privilege: 'usage' },
          { grantee: 'PUBLIC', granteeKind: 'public', target: { type: 'table', schema: 'marketing', table: 'region' }, privilege: 'select' },
          { grantee: 'PUBLIC', granteeKind: 'public', target: { type: 'table', schema: 'other', table: 'x' }, privilege: 'select' },
        ],
        schemas: new Map([
          ['marketing', { name: 'marketing', owner: 'etl', tables: ['nation', 'region'], tableOwners: new Map([['region', 'etl'], ['nation', 'etl']]) }],
        ]),
      });
    const spec = (extra: Partial<RedshiftGrantsSpec> = {}): RedshiftGrantsSpec => ({
      connection,
      manage: { schemas: ['marketing'], ignorePrincipals: ['etl', 'salesanalyst'] },
      roles: [{ name: 'marketing_ro', privileges: { schemas: [{ schema: 'marketing', privileges: ['usage'] }], tables: [{ schema: 'marketing', allTables: true, privileges: ['select'] }] } }],
      users: [{ name: 'marketinganalyst', roles: ['marketing_ro'] }],
      ...extra,
    });

    it('revokes undeclared PUBLIC privileges in managed schemas as disruptive changes that name who loses access', () => {
      const { changes, diagnostics } = diffPolicy(doc(spec()), desiredState(doc(spec())), leaky());
      expect(diagnostics).toEqual([]);
      const plan = buildPlan({ changes, diagnostics: [], inputs: {}, policies: [], salt: {}, kindOrder: () => 0 });
      expect(plan.changes.map((c) => [c.address, c.phase, c.title, c.risk])).toEqual([
        ['redshift/warehouse/role/marketing_ro/all-tables/marketing/grant', PHASE.grantTable, 'GRANT SELECT ON ALL TABLES IN SCHEMA "marketing" TO ROLE "marketing_ro"', 'safe'],
        ['redshift/warehouse/public/table/marketing/region/revoke', PHASE.revokeTable, 'REVOKE SELECT ON TABLE "marketing"."region" FROM PUBLIC', 'disruptive'],
        ['redshift/warehouse/public/schema/marketing/revoke', PHASE.revokeSchema, 'REVOKE USAGE ON SCHEMA "marketing" FROM PUBLIC', 'disruptive'],
      ]);
      // marketinganalyst keeps access through marketing_ro (live and planned); etl owns the schema and tables;
      // salesanalyst, ignored or not, holds it only through PUBLIC; superusers bypass privileges.
      const revokeUsage = plan.changes[2];
      expect(revokeUsage.reason).toBe('PUBLIC holds usage on schema marketing, which the policy does not declare; 1 user(s) lose access, holding it through no other grant: salesanalyst');
      expect(revokeUsage.before).toEqual({ grantee: 'PUBLIC', on: { schema: 'marketing' }, privileges: ['usage'], losesAccess: ['salesanalyst'] });
      expect(plan.changes[1].reason).toContain('1 user(s) lose access, holding it through no other grant: salesanalyst');
      // Unmanaged schema other: PUBLIC's privilege there is left alone.
      expect(plan.changes.some((c) => c.title.includes('"other"'))).toBe(false);
      expect(renderPlan(plan, 'text')).toContain('FROM PUBLIC');
    });

    it('declares PUBLIC privileges under spec.public: granted TO PUBLIC when missing, never revoked once declared', () => {
      const declared = spec({ public: { privileges: { schemas: [{ schema: 'marketing', privileges: ['usage'] }], tables: [{ schema: 'marketing', names: ['region', 'nation'], privileges: ['select'] }] } } });
      const { changes } = diffPolicy(doc(declared), desiredState(doc(declared)), leaky());
      expect(changes.map((c) => [c.address, c.title, c.risk])).toEqual([
        ['redshift/warehouse/public/table/marketing/nation/grant', 'GRANT SELECT ON TABLE "marketing"."nation" TO PUBLIC', 'safe'],
        ['redshift/warehouse/role/marketing_ro/all-tables/marketing/grant', 'GRANT SELECT ON ALL TABLES IN SCHEMA "marketing" TO ROLE "marketing_ro"', 'safe'],
      ]);
    });

    it('says so when no existing user loses access, and names the owner of future tables', () => {
      const state = leaky();
      state.principals = state.principals.filter((p) => p.name !== 'salesanalyst');
      state.privileges.push({ grantee: 'PUBLIC', granteeKind: 'public', target: { type: 'future', schema: 'marketing', owner: 'etl' }, privilege: 'select' });
      const { changes } = diffPolicy(doc(spec()), desiredState(doc(spec())), state);
      const usage = changes.find((c) => c.title === 'REVOKE USAGE ON SCHEMA "marketing" FROM PUBLIC');
      expect(usage?.reason).toBe('PUBLIC holds usage on schema marketing, which the policy does not declare; no existing user loses access (each holds it through another grant or owns the object); users created later will not get it');
      const future = changes.find((c) => c.title.startsWith('ALTER DEFAULT PRIVILEGES'));
      expect(future?.title).toBe('ALTER DEFAULT PRIVILEGES FOR USER "etl" IN SCHEMA "marketing" REVOKE SELECT ON TABLES FROM PUBLIC');
      expect(future?.risk).toBe('disruptive');
      expect(future?.reason).toContain('1 user(s) lose access on the tables etl creates from now on, holding it through no other grant: marketinganalyst');
    });
  });

  it('revokes a membership the catalog lists twice (PostgreSQL 16+: one row per grantor) once, under one address', () => {
    const pg = { dialect: 'postgres' as const, urlFromEnv: 'DB_URL' };
    const state = live({
      dialect: 'postgres',
      principals: [...live().principals, { name: 'r', kind: 'role', superuser: false }, { name: 'u', kind: 'user', superuser: false }],
      memberships: [
        { role: 'r', member: 'u', memberKind: 'user' },
        { role: 'r', member: 'u', memberKind: 'user' },
      ],
    });
    const spec: RedshiftGrantsSpec = { connection: pg, manage: { schemas: [] }, roles: [{ name: 'r' }], users: [{ name: 'u' }] };
    const { changes } = diffPolicy(doc(spec), desiredState(doc(spec)), state);
    expect(changes.map((c) => [c.address, c.title])).toEqual([['redshift/warehouse/user/u/member-of/r', 'REVOKE "r" FROM "u"']]);
  });

  it('identity providers: unchanged parameters need nothing; otherwise ALTER re-sends the secret, which never appears in the plan', () => {
    const secret = 'KiG7Q~FEDnE.VsWS1IIl7LV1R2BtA4qVv2ixB';
    const spec: RedshiftGrantsSpec = { connection, identityProviders: [idp] };
    const same = live({ identityProviders: [{ name: 'OAUTH_STANDARD', type: 'azure', namespace: 'oauth_aad', issuer: idp.issuer, clientId: idp.clientId, audience: idp.audience, enabled: true }] });
    expect(planPolicy(doc(spec), same, { env: { AAD_SECRET: secret } }).changes).toEqual([]);

    const moved = live({ identityProviders: [{ ...same.identityProviders[0], clientId: 'client-0' }] });
    const { changes, diagnostics } = planPolicy(doc(spec), moved, { env: { AAD_SECRET: secret } });
    expect(diagnostics).toEqual([]);
    expect(changes).toHaveLength(1);
    expect(changes[0].action).toBe('update');
    expect(changes[0].title).toBe(`ALTER IDENTITY PROVIDER "oauth_standard" PARAMETERS '{"issuer":"https://sts.windows.net/tenant/","client_id":"client-1","client_secret":"***","audience":["api://aud"]}'`);
    expect(changes[0].reason).toContain('secret: (unchanged, write-only)');
    expect(changes[0].data).toEqual({ sql: [changes[0].title], secretEnv: 'AAD_SECRET' });
    const plan = buildPlan({ changes, diagnostics, inputs: {}, policies: [], salt: {}, kindOrder: () => 0 });
    for (const text of [JSON.stringify(plan), renderPlan(plan, 'text'), renderPlan(plan, 'markdown')]) expect(text).not.toContain(secret);
    expect(renderPlan(plan, 'text')).toContain('"secret": "(unchanged, write-only)"');

    expect(changes[0].risk).toBe('safe');

    // A missing secret variable is a warning at plan time (apply would fail).
    expect(planPolicy(doc(spec), moved, { env: {} }).diagnostics.map((d) => d.code)).toEqual(['redshift/secret-env-unset']);

    // A new namespace renames who signs in: disruptive, and the secret is not sent when only it changes.
    const renamed = live({ identityProviders: [{ ...same.identityProviders[0], namespace: 'aad_old' }] });
    const [rename] = planPolicy(doc(spec), renamed, { env: { AAD_SECRET: secret } }).changes;
    expect(rename.title).toBe(`ALTER IDENTITY PROVIDER "oauth_standard" NAMESPACE 'oauth_aad'`);
    expect(rename.risk).toBe('disruptive');
    expect(rename.data).toEqual({ sql: [rename.title] });
  });
});

/** An in-memory SVV catalog answering exactly the queries the reader sends (simple SELECTs, one UNION ALL). */
function fakeCatalog(views: Record<string, Row[]>, currentUser: string): Executor & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    canRollback: false,
    get queryCount() {
      return sent.length;
    },
    async query(sql: string) {
      sent.push(sql);
      if (sql === 'SELECT current_user') return [{ current_user: currentUser }];
      // Simple SELECTs over one view, or a UNION ALL of them; items are columns, `col AS alias`, `NULL::type AS alias` or `'text' AS alias`.
      return sql.split(' UNION ALL ').flatMap((part) => {
        const m = /^SELECT (.+) FROM (svv_[a-z_]+)$/.exec(part);
        if (!m) throw new Error(`unexpected query ${sql}`);
        const items = m[1].split(', ').map((item) => {
          const constant = /^(?:NULL::[a-z]+|'([A-Za-z]+)') AS ([a-z_]+)$/.exec(item);
          if (constant) return { as: constant[2], value: (r: Row) => (void r, constant[1] ?? null) };
          const alias = /^([a-z_]+)(?: AS ([a-z_]+))?$/.exec(item);
          if (!alias) throw new Error(`unexpected item ${item}`);
          return { as: alias[2] ?? alias[1], value: (r: Row) => r[alias[1]] ?? null };
        });
        return (views[m[2]] ?? []).map((r) => Object.fromEntries(items.map((i) => [i.as, i.value(r)])));
      });
    },
    async execute() {
      throw new Error('read only');
    },
    async close() {},
  };
}

describe('reading the Redshift catalog', () => {
  const views = {
    svv_user_info: [
      { user_name: 'admin', superuser: true },
      { user_name: 'reader', superuser: false },
      { user_name: 'monitor_user', superuser: false, syslog_access: 'UNRESTRICTED' },
    ],
    svv_roles: [{ role_name: 'sales_ro' }, { role_name: 'watchers' }],
    svv_user_grants: [{ user_name: 'monitor_user', role_name: 'watchers' }],
    svv_role_grants: [{ role_name: 'watchers', granted_role_name: 'sys:monitor' }],
    svv_schema_privileges: [{ namespace_name: 'sales', privilege_type: 'USAGE', identity_name: 'sales_ro', identity_type: 'role' }, { namespace_name: 'sales', privilege_type: 'USAGE', identity_name: 'public', identity_type: 'public' }],
    svv_relation_privileges: [{ namespace_name: 'sales', relation_name: 'orders', privilege_type: 'SELECT', identity_name: 'sales_ro', identity_type: 'role' }],
    svv_column_privileges: [
      { namespace_name: 'sales', relation_name: 'orders', column_name: 'amount', privilege_type: 'UPDATE', identity_name: 'sales_ro', identity_type: 'role' },
      { namespace_name: 'other', relation_name: 'x', column_name: 'y', privilege_type: 'SELECT', identity_name: 'sales_ro', identity_type: 'role' },
    ],
    svv_all_tables: [
      { database_name: 'dev', schema_name: 'sales', table_name: 'orders', table_type: 'TABLE' },
      { database_name: 'other_db', schema_name: 'sales', table_name: 'elsewhere', table_type: 'TABLE' },
    ],
    svv_default_privileges: [{ schema_name: 'sales', object_type: 'RELATION', owner_name: 'etl', privilege_type: 'SELECT', grantee_name: 'sales_ro', grantee_type: 'role' }],
    svv_identity_providers: [{ name: 'oauth_standard', type: 'azure', namespc: 'oauth_aad', params: '{"issuer":"https://x/","client_id":"c","audience":["a"]}', enabled: true }],
  };

  it('reads everything in at most 12 simple SELECTs and joins in TypeScript', async () => {
    const db = fakeCatalog(views, 'admin');
    const state = await readRedshift(db, ['sales'], 'dev');
    expect(db.sent.length).toBeLessThanOrEqual(12);
    expect(state.queries).toBe(db.sent.length);
    expect(state.schemas.get('sales')?.tables).toEqual(['orders']); // other databases' tables excluded
    expect(state.privileges).toEqual([
      { grantee: 'sales_ro', granteeKind: 'role', target: { type: 'schema', schema: 'sales' }, privilege: 'usage' },
      { grantee: 'PUBLIC', granteeKind: 'public', target: { type: 'schema', schema: 'sales' }, privilege: 'usage' },
      { grantee: 'sales_ro', granteeKind: 'role', target: { type: 'table', schema: 'sales', table: 'orders' }, privilege: 'select' },
      // Column privileges come in the same query as table privileges; unmanaged schemas are skipped.
      { grantee: 'sales_ro', granteeKind: 'role', target: { type: 'column', schema: 'sales', table: 'orders', column: 'amount' }, privilege: 'update' },
      { grantee: 'sales_ro', granteeKind: 'role', target: { type: 'future', schema: 'sales', owner: 'etl' }, privilege: 'select' },
    ]);
    expect(state.identityProviders).toEqual([{ name: 'oauth_standard', type: 'azure', namespace: 'oauth_aad', issuer: 'https://x/', clientId: 'c', audience: ['a'], enabled: true }]);
  });

  it('sees everything through a role holding sys:monitor, with SYSLOG ACCESS UNRESTRICTED', async () => {
    await expect(readRedshift(fakeCatalog(views, 'monitor_user'), ['sales'], 'dev')).resolves.toBeDefined();
    // ACCESS SYSTEM TABLE alone does not open SVV_RELATION_PRIVILEGES (superusers and SYSLOG ACCESS UNRESTRICTED only).
    const restricted = { ...views, svv_user_info: views.svv_user_info.map((u) => (u.user_name === 'monitor_user' ? { ...u, syslog_access: 'RESTRICTED' } : u)) };
    await expect(readRedshift(fakeCatalog(restricted, 'monitor_user'), ['sales'], 'dev')).rejects.toThrow(/SYSLOG ACCESS UNRESTRICTED/);
  });

  it('reads SCHEMA-scoped rows of svv_schema_privileges as schema privileges, TABLES-scoped ones as scoped permissions', async () => {
    const scoped = {
      ...views,
      svv_schema_privileges: [
        ...views.svv_schema_privileges.map((r) => ({ ...r, privilege_scope: 'SCHEMA' })),
        { namespace_name: 'sales', privilege_type: 'SELECT', identity_name: 'sales_ro', identity_type: 'role', privilege_scope: 'TABLES' },
      ],
    };
    const state = await readRedshift(fakeCatalog(scoped, 'admin'), ['sales'], 'dev');
    expect(state.privileges.filter((p) => p.target.type === 'scoped')).toEqual([{ grantee: 'sales_ro', granteeKind: 'role', target: { type: 'scoped', schema: 'sales', objects: 'tables' }, privilege: 'select' }]);
    expect(state.privileges.filter((p) => p.target.type === 'schema')).toEqual([
      { grantee: 'sales_ro', granteeKind: 'role', target: { type: 'schema', schema: 'sales' }, privilege: 'usage' },
      { grantee: 'PUBLIC', granteeKind: 'public', target: { type: 'schema', schema: 'sales' }, privilege: 'usage' },
    ]);
  });

  it('refuses a partial catalog instead of reporting false drift', async () => {
    const db = fakeCatalog(views, 'reader');
    await expect(readRedshift(db, ['sales'], 'dev')).rejects.toBeInstanceOf(PartialVisibilityError);
    // Nothing past the visibility check was read.
    expect(db.sent.some((q) => q.includes('svv_relation_privileges'))).toBe(false);
    const unrestricted = views.svv_user_info.map((u) => (u.user_name === 'reader' ? { ...u, syslog_access: 'UNRESTRICTED' } : u));
    const granted = fakeCatalog({ ...views, svv_user_info: unrestricted, svv_system_privileges: [{ system_privilege: 'ACCESS SYSTEM TABLE', identity_name: 'reader', identity_type: 'user' }] }, 'reader');
    await expect(readRedshift(granted, ['sales'], 'dev')).resolves.toBeDefined();
  });
});
